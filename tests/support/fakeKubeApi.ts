/**
 * A fake Kubernetes API server for verify, on loopback HTTPS with the test-only certificate of tests/fixtures/tls. It
 * serves the objects a stage produces (`load` takes plan's manifests: each Deployment becomes one running pod owned by
 * a ReplicaSet, each Service gets a ClusterIP, each NetworkPolicy is stored as the API server returns it, defaults
 * filled in and empty fields dropped), lists without `kind` on items, and errors as metav1.Status bodies.
 *
 * It plays the kubelet too. An ephemeral container added by PATCH .../pods/{pod}/ephemeralcontainers is run for real:
 * its `/bin/sh -c` command runs here, with the image's /agnhost replaced by tests/support/fakeAgnhost.sh, which answers
 * each connection from the connectivity table: `connectivity(from, to, port)` gives the answers of successive attempts
 * (["TIMEOUT", "CONNECTED"] is a policy that takes effect on the second attempt). The container's output is its log.
 *   GET   /api/v1/namespaces
 *   GET   /api/v1/namespaces/{ns}/pods[?fieldSelector=metadata.name=X]      GET /api/v1/namespaces/{ns}/services
 *   GET   /apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies
 *   PATCH /api/v1/namespaces/{ns}/pods/{pod}/ephemeralcontainers           GET /api/v1/namespaces/{ns}/pods/{pod}/log
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { startTlsServer, testCertificateAuthorityData, urlOf } from "./tlsServer";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../policies/netpol/types";
import { ProbeResult } from "../../policies/live/probeScript";

const FAKE_AGNHOST = path.join(__dirname, "fakeAgnhost.sh");
export const TOKEN = "k8s-aws-v1.fake-token-for-verify";

interface Pod {
    workload: string;
    object: any;
    logs: Map<string, string>;
}

export type Kubelet = { kind: "run" } | { kind: "stuck"; reason: string; message: string };
export type Fault = { status: number; reason: string; message: string } | "hang";

export class FakeKubeApi {
    namespaces: { name: string; labels: Record<string, string> }[] = [];
    pods: Pod[] = [];
    services: any[] = [];
    policies: any[] = [];
    /** The answers a probe from `from` to `to`:`port` gets, attempt by attempt (the last repeats). */
    connectivity: (from: string, to: string, port: number) => ProbeResult[] = () => ["CONNECTED"];
    /** What the kubelet does with a new ephemeral container, by source workload. */
    kubelet: (workload: string) => Kubelet = () => ({ kind: "run" });
    readonly requests: { method: string; path: string; status: number }[] = [];
    readonly patches: { namespace: string; pod: string; body: any }[] = [];
    private readonly faults: { method: string; pathPrefix: string; fault: Fault }[] = [];
    private readonly running = new Set<Promise<void>>();
    private readonly scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fake-kube-api-"));

    private constructor(private readonly server: https.Server) {}

    static async start(): Promise<FakeKubeApi> {
        let fake: FakeKubeApi | undefined;
        const server = await startTlsServer((req, res) => fake!.handle(req, res));
        fake = new FakeKubeApi(server);
        return fake;
    }

    get url(): string {
        return urlOf(this.server);
    }

    /** The cluster CA as a kubeconfig carries it: base64 of the PEM. */
    static get certificateAuthorityData(): string {
        return testCertificateAuthorityData();
    }

    /** Fails every request of `method` whose path starts with `pathPrefix`, with a status or by never answering. */
    fail(method: string, pathPrefix: string, fault: Fault): void {
        this.faults.push({ method, pathPrefix, fault });
    }

    /** Serves what plan says a stage deploys: the namespaces, a pod per Deployment, the Services and the policies. */
    load(manifests: KubeObject[]): void {
        let ip = 10;
        for (const m of manifests) {
            const meta = m.metadata ?? {};
            if (m.kind === "Namespace") this.namespaces.push({ name: meta.name!, labels: { ...meta.labels, "kubernetes.io/metadata.name": meta.name! } });
            if (m.kind === "Deployment") this.pods.push(podFor(m, `10.0.1.${ip++}`));
            if (m.kind === "Service") this.services.push({ metadata: { name: meta.name, namespace: meta.namespace }, spec: { ...m.spec, clusterIP: `172.20.0.${ip++}` } });
            if (m.kind === "NetworkPolicy") this.apply(m);
        }
    }

    /** Creates or replaces a NetworkPolicy, as `kubectl apply` would: stored with the API server's defaults. */
    apply(policy: KubeObject): void {
        const { name, namespace } = policy.metadata ?? {};
        this.policies = this.policies.filter((p) => !(p.metadata.name === name && p.metadata.namespace === namespace));
        this.policies.push({ metadata: { name, namespace }, spec: asStored(policy.spec) });
    }

    /** Waits for every probe container still running. */
    async settle(): Promise<void> {
        await Promise.all([...this.running]);
    }

    async close(): Promise<void> {
        await this.settle();
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
        fs.rmSync(this.scratch, { recursive: true, force: true });
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
            const method = req.method ?? "GET";
            const url = new URL(req.url ?? "/", this.url);
            const reply = (status: number, body: unknown, type = "application/json") => {
                this.requests.push({ method, path: url.pathname, status });
                res.writeHead(status, { "content-type": type });
                res.end(typeof body === "string" ? body : JSON.stringify(body));
            };
            if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, status(401, "Unauthorized", "Unauthorized"));
            const fault = this.faults.find((f) => f.method === method && url.pathname.startsWith(f.pathPrefix))?.fault;
            if (fault === "hang") return void this.requests.push({ method, path: url.pathname, status: 0 });
            if (fault) return reply(fault.status, status(fault.status, fault.reason, fault.message));
            const [code, body, type] = this.answer(method, url, Buffer.concat(chunks).toString(), req.headers["content-type"]);
            reply(code, body, type);
        });
    }

    private answer(method: string, url: URL, body: string, contentType: string | undefined): [number, unknown, string?] {
        const p = url.pathname;
        const list = (kind: string, items: unknown[]) => [200, { kind, apiVersion: "v1", metadata: { resourceVersion: "1" }, items }] as [number, unknown];
        let m: RegExpExecArray | null;
        if (method === "GET" && p === "/api/v1/namespaces") return list("NamespaceList", this.namespaces.map((n) => ({ metadata: { name: n.name, labels: n.labels } })));
        if (method === "GET" && (m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p))) {
            const name = /^metadata\.name=(.+)$/.exec(url.searchParams.get("fieldSelector") ?? "")?.[1];
            return list("PodList", this.pods.filter((pod) => pod.object.metadata.namespace === m![1] && (name === undefined || pod.object.metadata.name === name)).map((pod) => pod.object));
        }
        if (method === "GET" && (m = /^\/api\/v1\/namespaces\/([^/]+)\/services$/.exec(p))) return list("ServiceList", this.services.filter((s) => s.metadata.namespace === m![1]));
        if (method === "GET" && (m = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/networkpolicies$/.exec(p))) {
            return list("NetworkPolicyList", this.policies.filter((x) => x.metadata.namespace === m![1]));
        }
        if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(ephemeralcontainers|log)$/.exec(p))) {
            const pod = this.pods.find((x) => x.object.metadata.namespace === m![1] && x.object.metadata.name === m![2]);
            if (!pod) return [404, status(404, "NotFound", `pods "${m[2]}" not found`)];
            if (method === "PATCH" && m[3] === "ephemeralcontainers") return this.addContainer(pod, body, contentType);
            if (method === "GET" && m[3] === "log") return this.log(pod, url);
        }
        return [404, status(404, "NotFound", "the server could not find the requested resource")];
    }

    private addContainer(pod: Pod, body: string, contentType: string | undefined): [number, unknown] {
        if (contentType !== "application/strategic-merge-patch+json") return [415, status(415, "UnsupportedMediaType", `the fake takes only strategic merge patches, not ${contentType}`)];
        const patch = JSON.parse(body);
        this.patches.push({ namespace: pod.object.metadata.namespace, pod: pod.object.metadata.name, body: patch });
        const spec = pod.object.spec;
        for (const container of patch.spec.ephemeralContainers) {
            if ((spec.ephemeralContainers ?? []).some((c: any) => c.name === container.name)) return [422, status(422, "Invalid", `spec.ephemeralContainers[${container.name}]: existing ephemeral containers may not be changed`)];
            spec.ephemeralContainers = [...(spec.ephemeralContainers ?? []), container];
            this.setState(pod, container.name, { waiting: { reason: "ContainerCreating" } });
            const kubelet = this.kubelet(pod.workload);
            if (kubelet.kind === "stuck") this.setState(pod, container.name, { waiting: { reason: kubelet.reason, message: kubelet.message } });
            else this.runContainer(pod, container);
        }
        return [200, pod.object];
    }

    private setState(pod: Pod, name: string, state: object): void {
        const statuses = (pod.object.status.ephemeralContainerStatuses ?? []).filter((s: any) => s.name !== name);
        pod.object.status.ephemeralContainerStatuses = [...statuses, { name, state, ready: false, restartCount: 0, image: "agnhost", imageID: "" }];
    }

    /** Runs the container's command as the kubelet would, with the fake agnhost answering from the table. */
    private runContainer(pod: Pod, container: any): void {
        const [shell, flag, script, ...args] = container.command as string[];
        if (shell !== "/bin/sh" || flag !== "-c" || !script.includes("A=/agnhost")) throw new Error(`the fake kubelet runs only verify's probe script, not ${JSON.stringify(container.command)}`);
        const dir = fs.mkdtempSync(path.join(this.scratch, "probe-"));
        fs.writeFileSync(path.join(dir, "answers"), this.answersFrom(pod.workload));
        this.setState(pod, container.name, { running: { startedAt: "2026-01-01T00:00:00Z" } });
        const child = spawn("/bin/sh", ["-c", script.replace("A=/agnhost", `A=${FAKE_AGNHOST}`), ...args], {
            env: { PATH: process.env.PATH, FAKE_ANSWERS: path.join(dir, "answers"), FAKE_STATE: dir },
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const done = new Promise<void>((resolve) => child.on("close", (code) => {
            pod.logs.set(container.name, output);
            this.setState(pod, container.name, { terminated: { exitCode: code ?? 137, reason: code === 0 ? "Completed" : "Error" } });
            resolve();
        }));
        this.running.add(done);
        done.then(() => this.running.delete(done));
    }

    /** The table for probes from `workload`: every address a probe may use (ClusterIP:port, pod IP:port) and its answers. */
    private answersFrom(workload: string): string {
        const lines: string[] = [];
        for (const pod of this.pods) {
            for (const port of pod.object.spec.containers.flatMap((c: any) => c.ports ?? [])) {
                const answers = this.connectivity(workload, pod.workload, port.containerPort).join(" ");
                lines.push(`${pod.object.status.podIP}:${port.containerPort} ${answers}`);
                for (const s of this.services.filter((x) => x.metadata.namespace === pod.object.metadata.namespace && selects(x.spec.selector, pod.object.metadata.labels))) {
                    for (const sp of s.spec.ports.filter((x: any) => (x.targetPort ?? x.port) === port.containerPort)) lines.push(`${s.spec.clusterIP}:${sp.port} ${answers}`);
                }
            }
        }
        return lines.join("\n") + "\n";
    }

    private log(pod: Pod, url: URL): [number, unknown, string] {
        const name = url.searchParams.get("container") ?? "";
        const log = pod.logs.get(name);
        if (log === undefined) return [400, status(400, "BadRequest", `container "${name}" in pod "${pod.object.metadata.name}" is waiting to start`), "application/json"];
        const limit = Number(url.searchParams.get("limitBytes") ?? Infinity);
        return [200, log.slice(0, limit), "text/plain"];
    }
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
    return selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A running, ready pod of the Deployment, owned by its ReplicaSet, named and addressed deterministically. */
function podFor(deployment: KubeObject, ip: string): Pod {
    const { name, namespace } = deployment.metadata as { name: string; namespace: string };
    const hash = crypto.createHash("sha256").update(`${namespace}/${name}`).digest("hex");
    const template = deployment.spec.template;
    return {
        workload: `${namespace}/${name}`,
        logs: new Map(),
        object: {
            metadata: {
                name: `${name}-${hash.slice(0, 9)}-${hash.slice(9, 14)}`,
                namespace,
                labels: { ...template.metadata.labels, "pod-template-hash": hash.slice(0, 9) },
                ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-${hash.slice(0, 9)}`, uid: hash.slice(0, 8), controller: true }],
            },
            spec: { containers: template.spec.containers },
            status: { phase: "Running", podIP: ip, conditions: [{ type: "Ready", status: "True" }] },
        },
    };
}

/** A policy spec as the API server stores and returns it: policyTypes and port protocols defaulted, empty fields dropped. */
export function asStored(spec: any): any {
    const types = spec.policyTypes ?? ["Ingress", ...(spec.egress?.length ? ["Egress"] : [])];
    return dropEmpty({ ...spec, policyTypes: types }, "");
}

function dropEmpty(value: any, key: string): any {
    if (Array.isArray(value)) return value.map((v) => dropEmpty(v, key));
    if (value === null || typeof value !== "object") return value;
    const out: any = {};
    for (const [k, v] of Object.entries(value)) {
        if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
        if (k === "matchLabels" && Object.keys(v as object).length === 0) continue;
        out[k] = dropEmpty(v, k);
    }
    if (key === "ports" && out.protocol === undefined) out.protocol = "TCP";
    return out;
}

function status(code: number, reason: string, message: string): object {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}
