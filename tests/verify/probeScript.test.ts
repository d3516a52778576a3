/**
 * The probe's shell loop, run for real with /bin/sh and tests/support/fakeAgnhost.sh in place of agnhost: one line per
 * attempt, re-probes only of targets whose result differs from the expectation, bounded by attempts and by time.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DONE_LINE, parseProbeLog, probeCommand, ProbeResult, probeSchedule, ProbeTarget, scriptSeconds } from "../../policies/live/probeScript";

const FAKE_AGNHOST = path.join(__dirname, "..", "support", "fakeAgnhost.sh");

/** Runs the probe command as the kubelet would, with the fake agnhost answering `answers` (address -> attempts). */
function runScript(targets: ProbeTarget[], answers: Record<string, ProbeResult[]>, schedule = { timeoutSeconds: 1, settleSeconds: 60, intervalSeconds: 0, maxAttempts: 4 }): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-script-"));
    try {
        fs.writeFileSync(path.join(dir, "answers"), Object.entries(answers).map(([address, a]) => `${address} ${a.join(" ")}\n`).join(""));
        const [shell, flag, script, ...args] = probeCommand(targets, schedule);
        const result = spawnSync(shell, [flag, script.replace("A=/agnhost", `A=${FAKE_AGNHOST}`), ...args], {
            env: { PATH: process.env.PATH, FAKE_ANSWERS: path.join(dir, "answers"), FAKE_STATE: dir },
            encoding: "utf8",
            timeout: 10_000,
        });
        assert.strictEqual(result.status, 0, result.stderr);
        return result.stdout;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("verify: the probe script", () => {
    const target = (index: number, address: string, expect: "allowed" | "blocked"): ProbeTarget => ({ index, address, expect });
    const cases: { name: string; expect: "allowed" | "blocked"; answers: ProbeResult[]; attempts: ProbeResult[] }[] = [
        { name: "an allowed cell that connects is tried once", expect: "allowed", answers: ["CONNECTED"], attempts: ["CONNECTED"] },
        { name: "a blocked cell that times out is tried once", expect: "blocked", answers: ["TIMEOUT"], attempts: ["TIMEOUT"] },
        { name: "a refused connection did not open either", expect: "blocked", answers: ["REFUSED"], attempts: ["REFUSED"] },
        { name: "a policy that takes effect on the third attempt", expect: "blocked", answers: ["CONNECTED", "CONNECTED", "TIMEOUT"], attempts: ["CONNECTED", "CONNECTED", "TIMEOUT"] },
        { name: "a cell that stays wrong, until the attempts run out", expect: "allowed", answers: ["TIMEOUT"], attempts: ["TIMEOUT", "TIMEOUT", "TIMEOUT", "TIMEOUT"] },
        { name: "a probe that fails itself is tried again", expect: "allowed", answers: ["DNS", "CONNECTED"], attempts: ["DNS", "CONNECTED"] },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const log = parseProbeLog(runScript([target(0, "10.0.0.1:80", c.expect)], { "10.0.0.1:80": c.answers }));
            assert.deepStrictEqual(log, { attempts: new Map([[0, c.attempts]]), finished: true });
        });
    }

    it("re-probes only the targets that differ, and prints one line per attempt, then the closing line", () => {
        const output = runScript(
            [target(0, "10.0.0.1:80", "allowed"), target(1, "[fd00::2]:6379", "blocked"), target(2, "10.0.0.3:9000", "allowed")],
            { "10.0.0.1:80": ["CONNECTED"], "[fd00::2]:6379": ["CONNECTED", "TIMEOUT"], "10.0.0.3:9000": ["OTHER"] },
        );
        assert.strictEqual(output, [
            "netpol-verify 0 1 CONNECTED",
            "netpol-verify 1 1 CONNECTED",
            "netpol-verify 2 1 OTHER",
            "netpol-verify 1 2 TIMEOUT",
            "netpol-verify 2 2 OTHER",
            "netpol-verify 2 3 OTHER",
            "netpol-verify 2 4 OTHER",
            DONE_LINE,
            "",
        ].join("\n"));
    });

    it("stops re-probing when the settle time is over, however many attempts are left", () => {
        const log = parseProbeLog(runScript([target(0, "10.0.0.1:80", "allowed")], { "10.0.0.1:80": ["TIMEOUT"] }, { timeoutSeconds: 1, settleSeconds: 0, intervalSeconds: 0, maxAttempts: 50 }));
        assert.deepStrictEqual(log.attempts.get(0), ["TIMEOUT"]);
    });

    it("takes no value the shell could interpret", () => {
        const schedule = { timeoutSeconds: 1, settleSeconds: 1, intervalSeconds: 1, maxAttempts: 2 };
        assert.throws(() => probeCommand([target(0, "10.0.0.1:80;reboot", "allowed")], schedule), { message: 'not a probe target: {"index":0,"address":"10.0.0.1:80;reboot","expect":"allowed"}' });
        assert.throws(() => probeCommand([], { ...schedule, timeoutSeconds: 0.5 }), { message: 'probe schedule must be whole seconds and counts, got {"timeoutSeconds":0.5,"settleSeconds":1,"intervalSeconds":1,"maxAttempts":2}' });
    });

    it("reads only the script's own lines from a log, and knows whether it finished", () => {
        const log = parseProbeLog("sh: warning\nnetpol-verify 0 1 TIMEOUT\nnetpol-verify 0 x TIMEOUT\nnetpol-verify 1 1 MAYBE\nnetpol-verify 0 2 CONNECTED\n");
        assert.deepStrictEqual(log, { attempts: new Map([[0, ["TIMEOUT", "CONNECTED"]]]), finished: false });
    });

    it("re-probes every second for the settle time, and bounds the container's run", () => {
        const schedule = probeSchedule({ timeoutSeconds: 2, settleSeconds: 15, intervalSeconds: 1 });
        assert.deepStrictEqual(schedule, { timeoutSeconds: 2, settleSeconds: 15, intervalSeconds: 1, maxAttempts: 16 });
        // 6 targets: a first pass of up to 6 x 3 s, 15 s of re-probes, one more interval and pass.
        assert.strictEqual(scriptSeconds(6, schedule), 18 + 15 + 1 + 18);
    });
});
