/**
 * Removing Calico's CRDs from a cluster that stays: the EKS token the cleanup authenticates with (checked against an
 * independent SigV4 computation), the deletion and its bounded wait, and where the cleanup sits in the graph.
 */
import * as assert from "assert";
import { deleteCrds } from "../components/crdCleanup";
import { eksToken, KubeApi } from "../components/kubeApi";
import { findResource, ProgramRun, runProgram, stackConfig } from "./mocks";
import { presignedTokenSignature } from "./support/sigv4";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const DATE = new Date("2026-11-25T10:00:00Z");

describe("EKS token", () => {
    it("is a presigned STS GetCallerIdentity URL that signs the cluster name, as aws eks get-token makes it", async () => {
        const token = await eksToken("team-cluster", "eu-west-1", CREDENTIALS, DATE);
        assert.match(token, /^k8s-aws-v1\.[A-Za-z0-9_-]+$/, "base64url without padding");
        const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
        assert.strictEqual(`${url.protocol}//${url.host}${url.pathname}`, "https://sts.eu-west-1.amazonaws.com/");
        const q = url.searchParams;
        assert.deepStrictEqual(
            ["Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"].map((k) => q.get(k)),
            ["GetCallerIdentity", "2011-06-15", "AWS4-HMAC-SHA256", "AKIDEXAMPLE/20261125/eu-west-1/sts/aws4_request", "20261125T100000Z", "60", "host;x-k8s-aws-id"],
        );
        assert.strictEqual(q.get("x-k8s-aws-id"), null, "the cluster name is a signed header, not a query parameter");
        assert.strictEqual(q.get("X-Amz-Signature"), presignedTokenSignature(url, CREDENTIALS.secretAccessKey, "team-cluster"));
    });
});

describe("EKS token in the China partition", () => {
    it("is signed for the regional STS endpoint under amazonaws.com.cn", async () => {
        const token = await eksToken("team-cluster", "cn-northwest-1", CREDENTIALS, DATE);
        const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
        assert.strictEqual(url.host, "sts.cn-northwest-1.amazonaws.com.cn");
        assert.strictEqual(url.searchParams.get("X-Amz-Credential"), "AKIDEXAMPLE/20261125/cn-northwest-1/sts/aws4_request");
        assert.strictEqual(url.searchParams.get("X-Amz-Signature"), presignedTokenSignature(url, CREDENTIALS.secretAccessKey, "team-cluster"));
    });
});

/** A fake API server whose CRDs disappear a few list calls after their DELETE. */
function fakeApi(crds: { name: string; group: string }[], ticksToVanish: number): KubeApi & { deleted: string[] } {
    const pending = new Map<string, number>();
    const deleted: string[] = [];
    return {
        deleted,
        async get() {
            for (const [name, left] of pending) {
                if (left <= 0) crds = crds.filter((c) => c.name !== name);
                else pending.set(name, left - 1);
            }
            return { items: crds.map((c) => ({ metadata: { name: c.name }, spec: { group: c.group } })) };
        },
        async delete(path) {
            const name = path.split("/").pop()!;
            deleted.push(name);
            pending.set(name, ticksToVanish);
        },
    };
}

function clock() {
    let time = 0;
    return { now: () => time, sleep: async (ms: number) => void (time += ms), log: () => undefined };
}

describe("deleting Calico's CRDs", () => {
    const CRDS = [
        { name: "felixconfigurations.crd.projectcalico.org", group: "crd.projectcalico.org" },
        { name: "installations.operator.tigera.io", group: "operator.tigera.io" },
        { name: "certificates.cert-manager.io", group: "cert-manager.io" },
        { name: "ippools.crd.projectcalico.org", group: "crd.projectcalico.org" },
    ];
    const GROUPS = ["crd.projectcalico.org", "operator.tigera.io"];

    it("deletes the CRDs of Calico's groups only, and waits until they are gone", async () => {
        const api = fakeApi(CRDS, 2);
        const deleted = await deleteCrds(api, GROUPS, [], { timeoutSeconds: 60, pollSeconds: 5 }, clock());
        assert.deepStrictEqual(deleted, ["felixconfigurations.crd.projectcalico.org", "installations.operator.tigera.io", "ippools.crd.projectcalico.org"]);
        assert.deepStrictEqual(api.deleted, deleted);
        assert.deepStrictEqual((await api.get("")).items.map((c: { metadata: { name: string } }) => c.metadata.name), ["certificates.cert-manager.io"]);
    });

    it("keeps the CRDs it is told the cluster had before", async () => {
        const api = fakeApi(CRDS, 0);
        const deleted = await deleteCrds(api, GROUPS, ["ippools.crd.projectcalico.org"], { timeoutSeconds: 60, pollSeconds: 5 }, clock());
        assert.deepStrictEqual(deleted, ["felixconfigurations.crd.projectcalico.org", "installations.operator.tigera.io"]);
        assert.deepStrictEqual((await api.get("")).items.map((c: { metadata: { name: string } }) => c.metadata.name).sort(), ["certificates.cert-manager.io", "ippools.crd.projectcalico.org"]);
    });

    it("gives up after its timeout, naming what is left", async () => {
        await assert.rejects(deleteCrds(fakeApi(CRDS, 1000), GROUPS, [], { timeoutSeconds: 30, pollSeconds: 5 }, clock()), {
            message: "timed out after 30 s waiting for CRDs to be deleted: felixconfigurations.crd.projectcalico.org, installations.operator.tigera.io, ippools.crd.projectcalico.org",
        });
    });
});

describe("the CRD cleanup in the graph", () => {
    const CLEANUP = "pulumi-nodejs:dynamic/eks-netpol-lab:CalicoCrdCleanup";

    it("runs after the Helm release is uninstalled, and is skipped with the cluster this program owns", async () => {
        const run: ProgramRun = await runProgram();
        const cleanup = findResource(run, CLEANUP, "calico-crd-cleanup");
        assert.deepStrictEqual(cleanup.inputs.groups, ["crd.projectcalico.org", "operator.tigera.io", "policy.networking.k8s.io"]);
        assert.deepStrictEqual(cleanup.inputs.cluster, {
            clusterName: "eks-netpol-lab-dev",
            server: "https://eks-netpol-lab-dev.gr7.us-west-2.eks.amazonaws.com",
            certificateAuthorityData: "Q0EtREFUQQ==",
            region: "us-west-2",
        });
        assert.deepStrictEqual(cleanup.options, { parent: "calico", dependsOn: [], deletedWith: "lab-eks" });
        assert.deepStrictEqual(findResource(run, "kubernetes:helm.sh/v3:Release", "calico-operator").options.dependsOn, ["calico-crd-cleanup"]);
    });

    it("runs on destroy in an existing cluster, which stays", async () => {
        const run = await runProgram(stackConfig({ existingClusterName: "team-cluster" }));
        const cleanup = findResource(run, CLEANUP, "calico-crd-cleanup");
        assert.strictEqual(cleanup.inputs.cluster.server, "https://team-cluster.existing.us-west-2.eks.amazonaws.com");
        assert.strictEqual(cleanup.options.deletedWith, undefined);
    });
});
