/**
 * A cheap guard over the dynamic providers' serialized code. Pulumi's closure serializer cannot carry a built-in
 * object (a Set, Map, Date, RegExp, …) captured from module scope: it flattens it into a plain object whose methods
 * are the built-in's prototype methods, written as `global.Set.prototype.has`, which throw when called on it. Any such
 * reference in the text means some provider code captured one; create it inside the function that uses it instead.
 */
import * as assert from "assert";
import { recordedProviders } from "./support/recordedProviders";

/** Lines of `code` that refer to a built-in's prototype through `global`, as only the serializer writes them. */
function flattenedBuiltins(code: string): string[] {
    return code.split("\n").filter((line) => /\bglobal\.[A-Z]\w*\.prototype\b/.test(line));
}

describe("the dynamic providers' serialized code", () => {
    it("is checked for every dynamic resource of the program", async () => {
        assert.deepStrictEqual([...(await recordedProviders()).all.keys()].sort(), ["calico-crd-cleanup", "calico-node-recycler", "lab-creator", "policy-engine"]);
    });

    it("captures no built-in object (Set, Map, Date, RegExp, …) from module scope, in any of them", async () => {
        for (const [name, inputs] of (await recordedProviders()).all) {
            assert.strictEqual(typeof inputs.__provider, "string", name);
            assert.deepStrictEqual(flattenedBuiltins(inputs.__provider), [], name);
        }
    });

    it("the check catches what broke the recycler: a module-level Set flattened into a plain object", () => {
        const serialized = 'var __RETRYABLE = {};\nObject.defineProperty(__RETRYABLE, "has", { configurable: true, writable: true, value: global.Set.prototype.has });';
        assert.deepStrictEqual(flattenedBuiltins(serialized), [serialized.split("\n")[1]]);
    });
});
