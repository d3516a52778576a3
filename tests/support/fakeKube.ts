/**
 * A fake Kubernetes API server on loopback HTTPS, with the test-only certificate in tests/fixtures/tls (its CA is what
 * a provider is given as the cluster's certificateAuthorityData). It answers what the providers ask, the way a real API
 * server does: lists whose items carry no `kind`, JSON Status bodies on 401/403/404, and it accepts only an EKS token
 * (`Bearer k8s-aws-v1.` + a presigned STS URL) for its cluster, signed with a key it knows: it checks the signature as
 * STS would, and records who signed it and for which STS host.
 *   GET    /api/v1/nodes
 *   GET    /apis/apiextensions.k8s.io/v1/customresourcedefinitions
 *   DELETE /apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}
 * Failures (a status, or a hang) can be injected per method and path prefix.
 */
import * as http from "http";
import * as https from "https";
import { startTlsServer, testCertificateAuthorityData, urlOf } from "./tlsServer";
import { ENV_KEY_ID, ENV_SECRET, PROFILE } from "./hostEnv";
import { presignedTokenSignature } from "./sigv4";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

export interface Crd {
    name: string;
    group: string;
}

export interface KubeRequest {
    method: string;
    path: string;
    /** The access key id that signed the token's presigned URL (X-Amz-Credential), or "" without a valid token. */
    keyId: string;
    /** The STS host the token's URL names. */
    stsHost: string;
    /** The status the fake answered. */
    status: number;
}

export type KubeFault = { status: number; reason: string; message: string } | "hang";

/** A node object as the API server lists it, for an EC2 instance. */
export function nodeFor(instanceId: string, ready: boolean): object {
    return {
        metadata: { name: `ip-10-0-0-${instanceId.slice(-3)}.us-west-2.compute.internal` },
        spec: { providerID: `aws:///us-west-2a/${instanceId}` },
        status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
    };
}

export class FakeKube {
    readonly requests: KubeRequest[] = [];
    crds: Crd[] = [];
    /** How many CRD lists a deleted CRD still appears in (as its finalizers run) before it is gone. */
    listsToVanish = 0;
    /** The nodes GET /api/v1/nodes lists, computed at each request. */
    nodes: () => object[] = () => [];
    /** The cluster a token must be for (its signed x-k8s-aws-id header). */
    clusterName = "eks-netpol-lab-dev";
    /** Secret keys by access key id: the identities whose tokens verify. The host's environment and profile. */
    readonly secrets = new Map([[ENV_KEY_ID, ENV_SECRET], [PROFILE.keyId, PROFILE.secret]]);
    private readonly vanishing = new Map<string, number>();
    private readonly faults: { method: string; pathPrefix: string; fault: KubeFault; times: number }[] = [];

    private constructor(private readonly server: https.Server) {}

    static async start(): Promise<FakeKube> {
        let fake: FakeKube | undefined;
        const server = await startTlsServer((req, res) => fake!.handle(req, res));
        fake = new FakeKube(server);
        return fake;
    }

    get url(): string {
        return urlOf(this.server);
    }

    /** The cluster CA as a kubeconfig carries it: base64 of the PEM. */
    static get certificateAuthorityData(): string {
        return testCertificateAuthorityData();
    }

    /** Fails the next `times` requests of `method` whose path starts with `pathPrefix`. */
    fail(method: string, pathPrefix: string, fault: KubeFault, { times = 1 } = {}): void {
        this.faults.push({ method, pathPrefix, fault, times });
    }

    reset(): void {
        this.requests.length = 0;
        this.crds = [];
        this.listsToVanish = 0;
        this.nodes = () => [];
        this.vanishing.clear();
        this.faults.length = 0;
    }

    async close(): Promise<void> {
        this.server.closeAllConnections(); // including requests left hanging on purpose
        await new Promise((resolve) => this.server.close(resolve));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const method = req.method ?? "GET";
        const urlPath = new URL(req.url ?? "/", this.url).pathname;
        const token = readToken(req.headers.authorization);
        const valid = token !== undefined && this.verifies(token);
        const record = (status: number) => this.requests.push({ method, path: urlPath, keyId: token?.keyId ?? "", stsHost: token?.url.host ?? "", status });
        const fault = this.injected(method, urlPath);
        if (fault === "hang") return void record(0);
        const [status, body] = !valid ? statusBody(401, "Unauthorized", "Unauthorized") : fault ? statusBody(fault.status, fault.reason, fault.message) : this.answer(method, urlPath);
        record(status);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
    }

    /** As STS would redeem it: signed by a known key, for this cluster, with a valid signature. */
    private verifies(token: { keyId: string; url: URL }): boolean {
        const secret = this.secrets.get(token.keyId);
        return secret !== undefined && token.url.searchParams.get("X-Amz-Signature") === presignedTokenSignature(token.url, secret, this.clusterName);
    }

    private injected(method: string, urlPath: string): KubeFault | undefined {
        const i = this.faults.findIndex((f) => f.method === method && urlPath.startsWith(f.pathPrefix));
        if (i < 0) return undefined;
        const fault = this.faults[i];
        if (--fault.times <= 0) this.faults.splice(i, 1);
        return fault.fault;
    }

    private answer(method: string, urlPath: string): [number, object] {
        if (method === "GET" && urlPath === "/api/v1/nodes") return [200, { kind: "NodeList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items: this.nodes() }];
        if (method === "GET" && urlPath === CRDS) return [200, this.listCrds()];
        if (method === "DELETE" && urlPath.startsWith(`${CRDS}/`)) return this.deleteCrd(urlPath.slice(CRDS.length + 1));
        return statusBody(404, "NotFound", "the server could not find the requested resource");
    }

    private listCrds(): object {
        for (const [name, left] of this.vanishing) {
            if (left > 0) this.vanishing.set(name, left - 1);
            else {
                this.crds = this.crds.filter((c) => c.name !== name);
                this.vanishing.delete(name);
            }
        }
        const items = this.crds.map((c) => ({
            metadata: { name: c.name, ...(this.vanishing.has(c.name) ? { deletionTimestamp: "2026-11-25T10:00:00Z" } : {}) },
            spec: { group: c.group, names: { plural: c.name.split(".")[0] }, scope: "Cluster" },
        }));
        return { kind: "CustomResourceDefinitionList", apiVersion: "apiextensions.k8s.io/v1", metadata: { resourceVersion: "1" }, items };
    }

    private deleteCrd(name: string): [number, object] {
        const crd = this.crds.find((c) => c.name === name);
        if (!crd) return statusBody(404, "NotFound", `customresourcedefinitions.apiextensions.k8s.io "${name}" not found`);
        if (this.listsToVanish > 0) this.vanishing.set(name, this.listsToVanish);
        else this.crds = this.crds.filter((c) => c.name !== name);
        return [200, { kind: "CustomResourceDefinition", apiVersion: "apiextensions.k8s.io/v1", metadata: { name }, spec: { group: crd.group } }];
    }
}

/** The presigned URL of an EKS token and the access key id that signed it, or undefined when the header has none. */
function readToken(authorization: string | undefined): { keyId: string; url: URL } | undefined {
    const prefix = "Bearer k8s-aws-v1.";
    if (!authorization?.startsWith(prefix)) return undefined;
    try {
        const url = new URL(Buffer.from(authorization.slice(prefix.length), "base64url").toString());
        const credential = url.searchParams.get("X-Amz-Credential");
        return credential ? { keyId: credential.split("/")[0], url } : undefined;
    } catch {
        return undefined;
    }
}

/** A metav1.Status, as the API server sends with every error. */
function statusBody(code: number, reason: string, message: string): [number, object] {
    return [code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }];
}
