/**
 * A cheap guard over the dynamic providers' serialized code. Pulumi's closure serializer cannot carry a built-in
 * object (a Set, Map, Date, RegExp, …) captured from module scope: it flattens it into a plain object whose methods
 * are the built-in's prototype methods, written as `global.Set.prototype.has`, which throw when called on it. Any such
 * reference in the text means some provider code captured one; create it inside the function that uses it instead.
 */
import * as assert from "assert";
import { deploymentsStackConfig, runDeployments } from "../deployments/offline";
import { recordedProviders } from "./support/recordedProviders";

/** Every dynamic resource of both projects (the lab's dev stack, the deployments' ci stack): inputs by `project/name`. */
async function everyDynamicResource(): Promise<Map<string, Record<string, any>>> {
    // One after the other: the two programs share the one set of Pulumi mocks.
    const lab = await recordedProviders();
    const deployments = await runDeployments(deploymentsStackConfig("ci"));
    assert.strictEqual(deployments.error, undefined, deployments.error?.stack);
    const dynamic = deployments.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
    return new Map([
        ...[...lab.all].map(([name, inputs]) => [`eks-netpol-lab/${name}`, inputs] as const),
        ...dynamic.map((r) => [`eks-netpol-lab-deployments/${r.name}`, r.inputs] as const),
    ]);
}

/** Lines of `code` that refer to a built-in's prototype through `global`, as only the serializer writes them. */
function flattenedBuiltins(code: string): string[] {
    return code.split("\n").filter((line) => /\bglobal\.[A-Z]\w*\.prototype\b/.test(line));
}

describe("the dynamic providers' serialized code", () => {
    it("is checked for every dynamic resource of both projects", async () => {
        assert.deepStrictEqual([...(await everyDynamicResource()).keys()].sort(), [
            "eks-netpol-lab-deployments/dev-ttl-clock",
            "eks-netpol-lab/calico-crd-cleanup",
            "eks-netpol-lab/calico-node-recycler",
            "eks-netpol-lab/lab-creator",
            "eks-netpol-lab/policy-engine",
        ]);
    });

    it("captures no built-in object (Set, Map, Date, RegExp, …) from module scope, in any of them", async () => {
        for (const [name, inputs] of await everyDynamicResource()) {
            assert.strictEqual(typeof inputs.__provider, "string", name);
            assert.deepStrictEqual(flattenedBuiltins(inputs.__provider), [], name);
        }
    });

    it("the check catches what broke the recycler: a module-level Set flattened into a plain object", () => {
        const serialized = 'var __RETRYABLE = {};\nObject.defineProperty(__RETRYABLE, "has", { configurable: true, writable: true, value: global.Set.prototype.has });';
        assert.deepStrictEqual(flattenedBuiltins(serialized), [serialized.split("\n")[1]]);
    });
});
