/**
 * One meaning for a workload to itself: the pods of one workload talking to each other is real traffic, which
 * policies govern like any other pair. `plan` and `matrix` must show it in the same cell the same way, and say so in
 * their legends. The manifests are plan's own (its YAML output), fed to `netpol matrix` on standard input.
 */
import * as assert from "assert";
import { run as plan } from "../../bin/plan";
import { netpolWith } from "./helpers";
import { GRID_LEGEND } from "../../policies/netpol/truthTable";

interface Flow {
    from: string;
    to: string;
    port: number;
    allowed: boolean;
}

const CASES: { name: string; sets: string[]; selfAllowed: Record<string, boolean> }[] = [
    {
        // The only traffic isolation leaves is inside each namespace, so it must be visible: each frontend to itself.
        name: "isolated namespaces: each frontend still reaches its own replicas",
        sets: ["demos=[\"namespaces\"]", "isolateNamespaces=true"],
        selfAllowed: { "namespace-a/frontend-a": true, "namespace-b/frontend-b": true, "namespace-c/frontend-c": true },
    },
    {
        name: "deny-all: replicas of an isolated workload cannot reach each other; the UI is not isolated",
        sets: ["demos=[\"stars\"]", "stage=deny-all"],
        selfAllowed: { "client/client": false, "management-ui/management-ui": true, "stars/backend": false, "stars/frontend": false },
    },
];

async function planOutput(sets: string[], format: string): Promise<string> {
    const result = await plan([...sets.flatMap((s) => ["--set", s]), "--format", format]);
    assert.strictEqual(result.exitCode, 0, result.stderr);
    return result.stdout;
}

describe("a workload to itself means the same in plan and in matrix", () => {
    for (const c of CASES) {
        it(c.name, async () => {
            const planFlows: Flow[] = JSON.parse(await planOutput(c.sets, "json")).flows;
            const yaml = await planOutput(c.sets, "yaml");
            const matrix = netpolWith({ stdin: () => Buffer.from(yaml) }, "matrix", "-", "--format", "json");
            assert.strictEqual(matrix.exitCode, 0, matrix.stderr);
            const matrixFlows: Flow[] = JSON.parse(matrix.stdout);
            const selfCells = (flows: Flow[]) => Object.fromEntries(flows.filter((f) => f.from === f.to && f.from in c.selfAllowed).map((f) => [f.from, f.allowed]));
            assert.deepStrictEqual({ plan: selfCells(planFlows), matrix: selfCells(matrixFlows) }, { plan: c.selfAllowed, matrix: c.selfAllowed });
        });
    }

    it("says what the cell means, in the same words, in both legends", async () => {
        const text = await planOutput(CASES[0].sets, "text");
        const matrix = netpolWith({ stdin: () => Buffer.from("kind: Pod\napiVersion: v1\nmetadata: {name: p}\n") }, "matrix", "-", "--port", "80");
        for (const line of GRID_LEGEND) {
            assert.ok(text.includes(`\n${line}\n`), `plan: ${line}`);
            assert.ok(matrix.stdout.includes(`${line}\n`), `matrix: ${line}`);
        }
        assert.match(text, /\nnamespace-a\/frontend-a +\. X X\n/);
    });
});
