/**
 * The CRD cleanup as Pulumi runs it: its serialized code loaded by the real dynamic-provider host, authenticating to a
 * fake Kubernetes API over HTTPS (trusting only the cluster CA it is given) with an EKS token it signs itself.
 */
import * as assert from "assert";
import { kubeApi } from "../components/kubeApi";
import { FakeKube } from "./support/fakeKube";
import { closedPort, ENV_KEY_ID, ENV_SECRET, hostEnv, HostEnv, PROFILE } from "./support/hostEnv";
import { dynamicUrn, Props, ProviderHost, reversedKeys } from "./support/providerHost";
import { recordedProviders } from "./support/recordedProviders";

const URN = dynamicUrn("CalicoCrdCleanup", "calico-crd-cleanup");
const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
/** What installing Calico's chart adds, in the order the fake lists them. */
const CALICO = [
    "baselineadminnetworkpolicies.policy.networking.k8s.io",
    "felixconfigurations.crd.projectcalico.org",
    "installations.operator.tigera.io",
    "ippools.crd.projectcalico.org",
];
const GROUP_OF = (name: string) => name.split(".").slice(1).join(".");
/** A CRD of one of the cleanup's groups that the cluster had before Calico: someone else's. */
const THEIRS = "adminnetworkpolicies.policy.networking.k8s.io";

describe("Calico CRD cleanup, run by Pulumi's dynamic-provider host", () => {
    let kube: FakeKube;
    let env: HostEnv;
    let host: ProviderHost;
    let recorded: Props;

    before(async () => {
        kube = await FakeKube.start();
        // The cleanup calls no AWS API: it only signs a token. A closed port makes sure of it.
        env = hostEnv({ awsEndpoint: `http://127.0.0.1:${await closedPort()}` });
        [host, { cleanup: recorded }] = await Promise.all([ProviderHost.start({ env: env.vars }), recordedProviders()]);
    });

    after(async () => {
        await host?.stop();
        await kube?.close();
        env?.remove();
    });

    beforeEach(() => {
        kube.reset();
        kube.crds = [
            { name: "certificates.cert-manager.io", group: "cert-manager.io" },
            { name: THEIRS, group: "policy.networking.k8s.io" },
        ];
        host.takeStderr();
    });

    /** What the Helm release does after the cleanup is created: Calico's CRDs appear. */
    function installCalico(): void {
        kube.crds.push(...CALICO.map((name) => ({ name, group: GROUP_OF(name) })));
    }

    /** The recorded inputs, with the cluster's API server pointed at the fake. */
    function inputs(overrides: Props = {}): Props {
        const cluster = { ...recorded.cluster, server: kube.url, certificateAuthorityData: FakeKube.certificateAuthorityData };
        // Real time passes in the host; 5 s between checks would make each wait take seconds.
        return { ...recorded, cluster, pollSeconds: 0.02, ...overrides };
    }

    /** The cleanup created (recording what the cluster has), then Calico installed. */
    async function created(overrides: Props = {}): Promise<{ id: string; outs: Props }> {
        const checked = await host.check(URN, {}, inputs(overrides));
        assert.deepStrictEqual(checked.failures, []);
        const result = await host.create(URN, checked.inputs);
        installCalico();
        return result;
    }

    it("records on create, before Calico is installed, which CRDs of its groups the cluster already has", async () => {
        const { id, outs } = await created();
        assert.strictEqual(id, "eks-netpol-lab-dev:crd.projectcalico.org,operator.tigera.io,policy.networking.k8s.io");
        assert.deepStrictEqual(outs, { ...inputs(), preexisting: [THEIRS] });
        assert.deepStrictEqual(kube.requests.map((r) => `${r.method} ${r.path} ${r.status}`), [`GET ${CRDS} 200`]);
    });

    it("deletes the CRDs Calico brought on delete, and only those, authenticated with an EKS token", async () => {
        const { id, outs } = await created();
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(kube.crds.map((c) => c.name), ["certificates.cert-manager.io", THEIRS]);
        assert.deepStrictEqual(kube.requests.filter((r) => r.method === "DELETE").map((r) => r.path), CALICO.map((name) => `${CRDS}/${name}`));
        assert.deepStrictEqual(new Set(kube.requests.map((r) => `${r.keyId} ${r.stsHost} ${r.status}`)), new Set([`${ENV_KEY_ID} sts.us-west-2.amazonaws.com 200`]));
        await host.takeStderrUntil(new RegExp(`calico CRD cleanup: deleting 4 CRDs of crd.projectcalico.org, operator.tigera.io, policy.networking.k8s.io; keeping 1 the cluster had before Calico \\(${THEIRS}\\)\n`));
    });

    it("keeps its record through an update, reading nothing, when its groups stay the same", async () => {
        const { id, outs } = await created();
        const before = kube.requests.length;
        const { outs: updated } = await host.update(id, URN, outs, inputs({ timeoutSeconds: 600 }));
        assert.deepStrictEqual(updated.preexisting, [THEIRS]);
        assert.strictEqual(kube.requests.length, before, "no request");
    });

    it("counts as someone else's what a group new to its list already has, updating the state of an earlier version", async () => {
        // An earlier version watched two groups and recorded nothing; Calico, installed since, brought BANP.
        installCalico();
        const earlier = { ...inputs(), groups: ["crd.projectcalico.org", "operator.tigera.io"] };
        const { outs } = await host.update("eks-netpol-lab-dev:crd.projectcalico.org,operator.tigera.io", URN, earlier, inputs());
        assert.deepStrictEqual(outs.preexisting, [THEIRS, CALICO[0]]);
        await host.delete("id", URN, outs);
        assert.deepStrictEqual(kube.crds.map((c) => c.name), ["certificates.cert-manager.io", THEIRS, CALICO[0]]);
    });

    it("waits until the API server no longer lists them (their finalizers take a while)", async () => {
        kube.listsToVanish = 2;
        const { id, outs } = await created();
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(kube.crds.map((c) => c.name), ["certificates.cert-manager.io", THEIRS]);
        assert.strictEqual(kube.requests.filter((r) => r.method === "GET").length, 5, "the list on create; then the first list, two with the CRDs still going, one without");
        await host.takeStderrUntil(/calico CRD cleanup: waiting for 4 CRDs to be deleted\n/);
    });

    it("signs its token as the given AWS profile", async () => {
        const { id, outs } = await created({ profile: PROFILE.name });
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(new Set(kube.requests.map((r) => r.keyId)), new Set([PROFILE.keyId]));
    });

    it("signs its token for the China partition's STS host in a cn- region", async () => {
        const { id, outs } = await created({ cluster: { ...inputs().cluster, region: "cn-north-1" } });
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(new Set(kube.requests.map((r) => r.stsHost)), new Set(["sts.cn-north-1.amazonaws.com.cn"]));
    });

    it("reports a 403 as the API server states it, and what to check", async () => {
        const { id, outs } = await created();
        const message = `customresourcedefinitions.apiextensions.k8s.io "${CALICO[0]}" is forbidden: User "arn:aws:sts::123456789012:assumed-role/ci/pulumi" cannot delete resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope`;
        kube.fail("DELETE", CRDS, { status: 403, reason: "Forbidden", message });
        await assert.rejects(host.delete(id, URN, outs), {
            message: `DELETE ${CRDS}/${CALICO[0]}: HTTP 403 Forbidden: ${message}; the AWS identity is known to the cluster, but its Kubernetes RBAC does not allow this`,
        });
        assert.strictEqual(kube.crds.length, 6, "nothing deleted");
    });

    it("fails on a server error, naming the request", async () => {
        const { id, outs } = await created();
        kube.fail("GET", CRDS, { status: 500, reason: "InternalError", message: "etcdserver: request timed out" });
        await assert.rejects(host.delete(id, URN, outs), { message: `GET ${CRDS}: HTTP 500 InternalError: etcdserver: request timed out` });
    });

    it("diffs as unchanged with the same inputs and code, whatever their key order", async () => {
        const { id, outs } = await created();
        const { inputs: news } = await host.check(URN, outs, reversedKeys(inputs()) as Props);
        assert.deepStrictEqual(await host.diff(id, URN, outs, news), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("diffs as changed when only its code changed, so update stores the new code that delete will run", async () => {
        const { id, outs } = await created();
        const newCode = `${recorded.__provider}\n// the next version of the provider\n`;
        const { inputs: news } = await host.check(URN, outs, inputs({ __provider: newCode }));
        assert.deepStrictEqual(await host.diff(id, URN, outs, news), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.strictEqual((await host.update(id, URN, outs, news)).outs.__provider, newCode);
    });
});

describe("the Kubernetes API client, against the fake API server", () => {
    let kube: FakeKube;
    before(async () => {
        kube = await FakeKube.start();
    });
    after(async () => {
        await kube?.close();
    });
    beforeEach(() => kube.reset());

    // Credentials are given, so that nothing looks for any in this process.
    const api = (accessKeyId: string, secretAccessKey: string) => {
        const cluster = { clusterName: kube.clusterName, server: kube.url, certificateAuthorityData: FakeKube.certificateAuthorityData, region: "us-west-2" };
        return kubeApi(cluster, { credentials: { accessKeyId, secretAccessKey }, timeoutSeconds: 0.2 });
    };

    it("is refused, with a pointer to the identity's access, when the cluster does not accept its token", async () => {
        await assert.rejects(api(ENV_KEY_ID, "not-the-secret").get("/api/v1/nodes"), {
            message: "GET /api/v1/nodes: HTTP 401 Unauthorized: Unauthorized; the cluster did not accept the EKS token: is this AWS identity given access to the cluster (an access entry or aws-auth)?",
        });
    });

    it("stops reading an answer larger than its bound, and says so", async () => {
        kube.crds = Array.from({ length: 200 }, (_, i) => ({ name: `crd${i}.example.com`, group: "example.com" }));
        const cluster = { clusterName: kube.clusterName, server: kube.url, certificateAuthorityData: FakeKube.certificateAuthorityData, region: "us-west-2" };
        const small = kubeApi(cluster, { credentials: { accessKeyId: ENV_KEY_ID, secretAccessKey: ENV_SECRET }, maxBodyBytes: 1000 });
        await assert.rejects(small.get(CRDS), { message: `GET ${CRDS}: the answer exceeds 1000 bytes; not read further` });
    });

    it("gives up on a request the server never answers, after its timeout", async () => {
        kube.fail("GET", "/api/v1/nodes", "hang");
        await assert.rejects(api(ENV_KEY_ID, ENV_SECRET).get("/api/v1/nodes"), { message: "GET /api/v1/nodes: no answer in 0.2 s" });
        assert.deepStrictEqual(kube.requests.map((r) => [r.method, r.path, r.keyId, r.status]), [["GET", "/api/v1/nodes", ENV_KEY_ID, 0]]);
    });
});
