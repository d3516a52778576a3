/**
 * The TTL clock (deployments/components/ttlClock.ts) as Pulumi runs it: its serialized code, recorded from the
 * deployments program, loaded by the SDK's real dynamic-provider host (tests/support/providerHost.ts). It starts when
 * created, stays put across unrelated updates, counts new hours from the same start, and refuses, at `up`, new hours
 * whose expiry has already passed, with the command that restarts it.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RecordedResource } from "../../bin/offlineProgram";
import { TTL_CLOCK_TYPE } from "../../deployments/components/ttlClock";
import { deploymentsStackConfig, runDeployments } from "../../deployments/offline";
import { clockState, rearmCommand } from "../../deployments/ttl";
import { closedPort, hostEnv, HostEnv } from "../support/hostEnv";
import { Props, ProviderHost } from "../support/providerHost";

const NO_CHANGE = { changes: false, replaces: [], deleteBeforeReplace: false };
const CHANGE = { changes: true, replaces: [], deleteBeforeReplace: false };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("TTL clock, run by Pulumi's dynamic-provider host", () => {
    let env: HostEnv;
    let host: ProviderHost;
    let clock: RecordedResource;
    const urn = "urn:pulumi:ci::eks-netpol-lab-deployments::eks-netpol-lab-deployments:deployments:LabDeployments$pulumi-nodejs:dynamic/eks-netpol-lab-deployments:TtlClock::dev-ttl-clock";

    before(async () => {
        // The clock calls nothing; a closed AWS endpoint makes sure of it.
        env = hostEnv({ awsEndpoint: `http://127.0.0.1:${await closedPort()}` });
        const [started, run] = await Promise.all([ProviderHost.start({ env: env.vars }), runDeployments(deploymentsStackConfig("ci"))]);
        host = started;
        assert.strictEqual(run.error, undefined, run.error?.stack);
        clock = run.resources.find((r) => r.type === TTL_CLOCK_TYPE && r.name === "dev-ttl-clock")!;
    });

    after(async () => {
        await host?.stop();
        env?.remove();
    });

    /** The inputs the program registers, with `hours` in place of the ci stack's 8. */
    const inputs = (hours = 8): Props => ({ ...clock.inputs, hours });

    async function created(hours = 8): Promise<{ id: string; outs: Props }> {
        const checked = await host.check(urn, {}, inputs(hours));
        assert.deepStrictEqual(checked.failures, []);
        return host.create(urn, checked.inputs);
    }

    it("is registered with its hours and the lab stack's name", () => {
        assert.deepStrictEqual([clock.inputs.hours, clock.inputs.labStack, typeof clock.inputs.__provider], [8, "dev", "string"]);
    });

    it("starts when it is created, and expires its hours later, in RFC 3339", async () => {
        const { outs } = await created();
        assert.match(outs.startedAt, RFC3339);
        assert.deepStrictEqual(outs, { ...clockState(8, outs.startedAt), __provider: clock.inputs.__provider });
    });

    it("reports no change on an unrelated up; a change for new hours or new code, never a replacement", async () => {
        const { id, outs } = await created();
        assert.deepStrictEqual(await host.diff(id, urn, outs, inputs(8)), NO_CHANGE);
        assert.deepStrictEqual(await host.diff(id, urn, outs, inputs(10)), CHANGE);
        assert.deepStrictEqual(await host.diff(id, urn, outs, { ...inputs(8), __provider: `${clock.inputs.__provider}\n// the next version\n` }), CHANGE);
    });

    it("counts new hours from the same start", async () => {
        const { id, outs } = await created();
        const { outs: updated } = await host.update(id, urn, outs, inputs(10));
        assert.deepStrictEqual(updated, { ...clockState(10, outs.startedAt), __provider: clock.inputs.__provider });
    });

    // A clock that started long ago: its TTL fired at 2020-01-01T08:00:00Z.
    const fired: Props = { ...clockState(8, "2020-01-01T00:00:00Z"), __provider: "" };

    const PAST: { name: string; hours: number; expires: string }[] = [
        { name: "labTtlHours raised after the TTL fired", hours: 24, expires: "2020-01-02T00:00:00Z" },
        { name: "labTtlHours lowered", hours: 2, expires: "2020-01-01T02:00:00Z" },
    ];
    for (const c of PAST) {
        it(`refuses new hours whose expiry has passed (${c.name}), naming the stack and the command that restarts the clock`, async () => {
            await assert.rejects(host.update("ttl", urn, { ...fired, __provider: clock.inputs.__provider }, inputs(c.hours)), {
                message: `Lab stack dev: its TTL would expire at ${c.expires}, ${c.hours} h after its TTL clock started (2020-01-01T00:00:00Z), ` +
                    `which has passed: a TTL schedule in the past never destroys the stack. To set its TTL again from now, replace its TTL clock: ${rearmCommand("dev")}`,
            });
        });
    }

    it("lets a fired clock stay as it is when only its code changes: no new expiry, so nothing is scheduled", async () => {
        const newCode = { ...inputs(8), __provider: `${clock.inputs.__provider}\n// the next version\n` };
        const { outs } = await host.update("ttl", urn, { ...fired, __provider: clock.inputs.__provider }, newCode);
        assert.deepStrictEqual(outs, { ...clockState(8, "2020-01-01T00:00:00Z"), __provider: newCode.__provider });
    });

    it("gives a re-arm command that replaces that stack's clock, by the labTtlClockUrns output, as the README does", () => {
        const command = rearmCommand("dev");
        assert.strictEqual(command, `npm run deployments -- up --replace "$(npm run --silent deployments -- stack output labTtlClockUrns --json | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8"))["dev"]')"`);
        assert.ok(fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8").includes(command), "the README gives the same command");
        // The shell pipeline picks the stack's URN out of the output as `stack output --json` prints it.
        const picked = spawnSync("bash", ["-c", command.replace(/^npm run deployments -- up --replace /, "echo ").replace("npm run --silent deployments -- stack output labTtlClockUrns --json", "printf '%s' \"$OUTPUT\"")], {
            encoding: "utf8",
            env: { ...process.env, OUTPUT: JSON.stringify({ dev: urn, prod: "other" }) },
        });
        assert.strictEqual(picked.stdout, `${urn}\n`);
    });
});
