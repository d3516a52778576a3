/**
 * Who may be a cluster admin: the pure decisions behind clusterAdminArns (principals compared as EKS compares them).
 */
import * as assert from "assert";
import * as crypto from "crypto";
import { accessEntryKey, principalOf, samePrincipal, withoutCreator } from "../components/clusterAdmins";

describe("cluster admins", () => {
    const cases: { a: string; b: string; same: boolean; why: string }[] = [
        { a: "arn:aws:iam::123456789012:role/ci", b: "arn:aws:sts::123456789012:assumed-role/ci/run-42", same: true, why: "a session of the role is the role" },
        { a: "arn:aws:iam::123456789012:role/team/ci", b: "arn:aws:sts::123456789012:assumed-role/ci/run-42", same: true, why: "a session ARN has no path; role names are unique in an account" },
        { a: "arn:aws:iam::123456789012:user/ops/bob", b: "arn:aws:iam::123456789012:user/bob", same: true, why: "user names are unique too" },
        { a: "arn:aws:iam::123456789012:role/ci", b: "arn:aws:iam::210987654321:role/ci", same: false, why: "another account" },
        { a: "arn:aws:iam::123456789012:role/ci", b: "arn:aws:iam::123456789012:user/ci", same: false, why: "a user is not a role" },
        { a: "arn:aws:iam::123456789012:role/ci", b: "arn:aws-cn:iam::123456789012:role/ci", same: false, why: "another partition" },
        { a: "arn:aws:iam::123456789012:root", b: "arn:aws:iam::123456789012:root", same: false, why: "root is no role or user" },
    ];
    for (const c of cases) {
        it(`${c.same ? "same" : "different"}: ${c.why}`, () => {
            assert.strictEqual(samePrincipal(c.a, c.b), c.same);
            assert.strictEqual(samePrincipal(c.b, c.a), c.same);
        });
    }

    it("reads an assumed role's account and role name", () => {
        assert.deepStrictEqual(principalOf("arn:aws:sts::123456789012:assumed-role/lab-admin/alice"), { partition: "aws", account: "123456789012", kind: "role", name: "lab-admin" });
    });

    it("leaves out the cluster's creator, whom EKS made admin already, however its ARN is written", () => {
        const creator = "arn:aws:sts::123456789012:assumed-role/lab-admin/alice";
        const listed = ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/team/lab-admin", "arn:aws:iam::123456789012:user/lab-admin"];
        assert.deepStrictEqual(withoutCreator(listed, creator), ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:user/lab-admin"]);
        assert.deepStrictEqual(withoutCreator(listed, "arn:aws:sts::123456789012:assumed-role/someone-else/x"), listed);
    });

    it("keys access entries by kind and name, plus a hash that tells apart the same name under another path or account", () => {
        const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
        const key = (arn: string) => accessEntryKey(arn, sha256);
        assert.strictEqual(key("arn:aws:iam::123456789012:role/team/ci.deployer@x"), `role-ci-deployer-x-${sha256("arn:aws:iam::123456789012:role/team/ci.deployer@x").slice(0, 8)}`);
        const keys = ["arn:aws:iam::123456789012:role/a/ci", "arn:aws:iam::123456789012:role/b/ci", "arn:aws:iam::210987654321:role/ci"].map(key);
        assert.deepStrictEqual(keys.map((k) => k.slice(0, 8)), ["role-ci-", "role-ci-", "role-ci-"]);
        assert.strictEqual(new Set(keys).size, 3);
    });
});
