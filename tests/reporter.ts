/**
 * mocha's spec reporter plus one closing line, "mocha: N passed, M failed", in the plain form CI reads to count tests.
 */
import * as Mocha from "mocha";

class SpecWithSummary extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        // Registered after the spec reporter's own end handler, so the line comes after its summary.
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const stats = runner.stats;
            const skipped = stats?.pending ? `, ${stats.pending} skipped` : "";
            console.log(`mocha: ${stats?.passes ?? 0} passed, ${stats?.failures ?? 0} failed${skipped}`);
        });
    }
}

export = SpecWithSummary;
