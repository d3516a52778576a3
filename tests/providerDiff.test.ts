/**
 * The dynamic providers' diff: inputs compared key by key and deeply, whatever their key order, with the provider's
 * code (`__provider`) compared like any input and the provider's own outputs left out.
 */
import * as assert from "assert";
import { changedInputs, sameValue } from "../components/providerDiff";

describe("provider diff", () => {
    const cluster = { clusterName: "lab", server: "https://lab.example", certificateAuthorityData: "Q0E=", region: "us-west-2" };

    it("sees no change when only key order differs, at any depth", () => {
        const reordered = { region: "us-west-2", certificateAuthorityData: "Q0E=", server: "https://lab.example", clusterName: "lab" };
        assert.deepStrictEqual(changedInputs({ cluster, groups: [{ kind: "managed", nodegroupName: "ng" }] }, { groups: [{ nodegroupName: "ng", kind: "managed" }], cluster: reordered }), []);
    });

    it("names each key that changed, including the provider's code, and ignores the provider's outputs", () => {
        const olds = { __provider: "exports.handler = v1", cluster, timeoutSeconds: 600, recorded: [{ min: 1, desired: 2, max: 3 }] };
        const news = { __provider: "exports.handler = v2", cluster: { ...cluster, region: "eu-west-1" }, timeoutSeconds: 600 };
        assert.deepStrictEqual(changedInputs(olds, news, ["recorded"]), ["__provider", "cluster"]);
    });

    it("counts an input added or removed as a change, but not an absent key against an undefined one", () => {
        assert.deepStrictEqual(changedInputs({ a: 1 }, { a: 1, profile: "lab" }), ["profile"]);
        assert.deepStrictEqual(changedInputs({ a: 1, profile: "lab" }, { a: 1 }), ["profile"]);
        assert.deepStrictEqual(changedInputs({ a: 1 }, { a: 1, profile: undefined }), []);
    });

    it("compares arrays in order and by length, and never equates different types", () => {
        assert.strictEqual(sameValue([1, 2], [2, 1]), false);
        assert.strictEqual(sameValue([1], [1, 1]), false);
        assert.strictEqual(sameValue({ 0: 1 }, [1]), false);
        assert.strictEqual(sameValue("1", 1), false);
        assert.strictEqual(sameValue(null, {}), false);
    });
});
