/**
 * A fake of the four AWS operations the node recycler uses, on one loopback HTTP server, speaking each service's wire
 * protocol so the real SDK clients can be pointed at it (AWS_ENDPOINT_URL_EKS, AWS_ENDPOINT_URL_AUTO_SCALING):
 *   - EKS, REST-JSON: DescribeNodegroup (GET /clusters/{c}/node-groups/{ng}) and UpdateNodegroupConfig
 *     (POST …/update-config); errors as an `x-amzn-ErrorType` header and a JSON `message`.
 *   - Auto Scaling, Query/XML: DescribeAutoScalingGroups and UpdateAutoScalingGroup (form-encoded POST /); errors as
 *     an XML ErrorResponse.
 * Groups are SimulatedGroups; faults can be injected per operation; every call is logged with the access key id it was
 * signed with.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { SimulatedGroup } from "./simulatedGroup";

export type AwsOperation = "DescribeNodegroup" | "UpdateNodegroupConfig" | "DescribeAutoScalingGroups" | "UpdateAutoScalingGroup";

export interface AwsFault {
    /** The AWS error code, e.g. ThrottlingException, AccessDeniedException, ResourceNotFoundException. */
    code: string;
    message: string;
    status: number;
}

export interface AwsCall {
    operation: AwsOperation | "unknown";
    /** The access key id from the SigV4 Authorization header. */
    keyId: string;
    /** What the fake answered: "ok" or the error code. */
    outcome: string;
}

/** What an operation answers: a status and a body, or an AWS error. */
type Answer = { status?: number; body: string } | { fault: AwsFault };

export class FakeAws {
    readonly calls: AwsCall[] = [];
    /** Managed node groups by `${clusterName}/${nodegroupName}`, each with the Auto Scaling group behind it. */
    readonly nodegroups = new Map<string, { asgName: string; group: SimulatedGroup }>();
    /** Auto Scaling groups by name: the ones behind managed node groups and self-managed ones. */
    readonly asgs = new Map<string, SimulatedGroup>();
    private readonly faults: { operation: AwsOperation; fault: AwsFault | "hang"; after: number; times: number }[] = [];

    private constructor(private readonly server: http.Server) {}

    static async start(): Promise<FakeAws> {
        const server = http.createServer();
        const fake = new FakeAws(server);
        server.on("request", (req, res) => fake.handle(req, res));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return fake;
    }

    get url(): string {
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    /** A managed node group (EKS) whose nodes are the Auto Scaling group `eks-<nodegroup>-asg`. */
    addNodegroup(clusterName: string, nodegroupName: string, group: SimulatedGroup): void {
        const asgName = `eks-${nodegroupName}-asg`;
        this.nodegroups.set(`${clusterName}/${nodegroupName}`, { asgName, group });
        this.asgs.set(asgName, group);
    }

    /**
     * Fails `times` calls of `operation` with `fault`, once `after` more calls of it have succeeded. "hang" accepts the
     * request and never answers it.
     */
    fail(operation: AwsOperation, fault: AwsFault | "hang", { after = 0, times = 1 } = {}): void {
        this.faults.push({ operation, fault, after, times });
    }

    /** Forgets every group, fault and call, between tests. */
    reset(): void {
        this.calls.length = 0;
        this.nodegroups.clear();
        this.asgs.clear();
        this.faults.length = 0;
    }

    /** The operations called, in order, with what each answered: "DescribeNodegroup ok", "UpdateNodegroupConfig AccessDeniedException". */
    callLog(): string[] {
        return this.calls.map((c) => `${c.operation} ${c.outcome}`);
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        let body = "";
        for await (const chunk of req) body += chunk;
        const keyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "";
        const eks = /^\/clusters\/([^/]+)\/node-groups\/([^/]+)(\/update-config)?$/.exec(new URL(req.url ?? "/", this.url).pathname);
        const form = new URLSearchParams(body);
        const operation = (eks ? (eks[3] ? "UpdateNodegroupConfig" : "DescribeNodegroup") : form.get("Action") ?? "unknown") as AwsOperation;
        const injected = this.injected(operation);
        if (injected === "hang") {
            this.calls.push({ operation: isOperation(operation) ? operation : "unknown", keyId, outcome: "hang" });
            return;
        }
        const answer = injected ?? this.answer(operation, eks ? { cluster: decodeURIComponent(eks[1]), nodegroup: decodeURIComponent(eks[2]), body } : form);
        const outcome = "fault" in answer ? answer.fault.code : "ok";
        this.calls.push({ operation: isOperation(operation) ? operation : "unknown", keyId, outcome });
        if (eks) sendJson(res, answer);
        else sendXml(res, operation, answer);
    }

    private injected(operation: AwsOperation): Answer | "hang" | undefined {
        const i = this.faults.findIndex((f) => f.operation === operation);
        if (i < 0) return undefined;
        const fault = this.faults[i];
        if (fault.after > 0) {
            fault.after--;
            return undefined;
        }
        if (--fault.times <= 0) this.faults.splice(i, 1);
        return fault.fault === "hang" ? "hang" : { fault: fault.fault };
    }

    private answer(operation: string, params: { cluster: string; nodegroup: string; body: string } | URLSearchParams): Answer {
        if (params instanceof URLSearchParams) {
            if (operation === "DescribeAutoScalingGroups") return this.describeAsgs(params);
            if (operation === "UpdateAutoScalingGroup") return this.updateAsg(params);
            return { fault: { code: "InvalidAction", message: `The fake does not implement ${operation}`, status: 400 } };
        }
        const ng = this.nodegroups.get(`${params.cluster}/${params.nodegroup}`);
        if (!ng) return { fault: { code: "ResourceNotFoundException", message: `No node group found for name: ${params.nodegroup}.`, status: 404 } };
        return operation === "DescribeNodegroup" ? describeNodegroup(params.cluster, params.nodegroup, ng) : updateNodegroup(ng.group, JSON.parse(params.body || "{}"));
    }

    private describeAsgs(form: URLSearchParams): Answer {
        const names = [...form.entries()].filter(([k]) => k.startsWith("AutoScalingGroupNames.member.")).map(([, v]) => v);
        // As AWS does, names that match no group are left out rather than reported.
        const members = names.flatMap((name) => {
            const group = this.asgs.get(name);
            if (!group) return [];
            const instances = group.tick().map((i) => `<member><InstanceId>${i.InstanceId}</InstanceId><LifecycleState>${i.LifecycleState}</LifecycleState><HealthStatus>Healthy</HealthStatus></member>`);
            return [`<member><AutoScalingGroupName>${name}</AutoScalingGroupName><MinSize>${group.sizes.min}</MinSize><MaxSize>${group.sizes.max}</MaxSize><DesiredCapacity>${group.sizes.desired}</DesiredCapacity><Instances>${instances.join("")}</Instances></member>`];
        });
        return { body: `<AutoScalingGroups>${members.join("")}</AutoScalingGroups>` };
    }

    private updateAsg(form: URLSearchParams): Answer {
        const name = form.get("AutoScalingGroupName") ?? "";
        const group = this.asgs.get(name);
        if (!group) return { fault: { code: "ValidationError", message: `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`, status: 400 } };
        const size = (key: string, current: number) => (form.has(key) ? Number(form.get(key)) : current);
        group.resize({ min: size("MinSize", group.sizes.min), desired: size("DesiredCapacity", group.sizes.desired), max: size("MaxSize", group.sizes.max) });
        return { body: "" };
    }
}

function isOperation(name: string): name is AwsOperation {
    return ["DescribeNodegroup", "UpdateNodegroupConfig", "DescribeAutoScalingGroups", "UpdateAutoScalingGroup"].includes(name);
}

function describeNodegroup(clusterName: string, nodegroupName: string, ng: { asgName: string; group: SimulatedGroup }): Answer {
    const { min, desired, max } = ng.group.sizes;
    const nodegroup = { nodegroupName, clusterName, status: "ACTIVE", scalingConfig: { minSize: min, desiredSize: desired, maxSize: max }, resources: { autoScalingGroups: [{ name: ng.asgName }] } };
    return { body: JSON.stringify({ nodegroup }) };
}

/** EKS's checks that matter here: an update must change something, and maxSize is at least 1. */
function updateNodegroup(group: SimulatedGroup, request: { scalingConfig?: { minSize?: number; desiredSize?: number; maxSize?: number } }): Answer {
    const c = request.scalingConfig ?? {};
    const next = { min: c.minSize ?? group.sizes.min, desired: c.desiredSize ?? group.sizes.desired, max: c.maxSize ?? group.sizes.max };
    const invalid = (message: string): Answer => ({ fault: { code: "InvalidParameterException", message, status: 400 } });
    if (next.max < 1) return invalid("Maximum capacity must be greater than or equal to 1");
    if (next.min === group.sizes.min && next.desired === group.sizes.desired && next.max === group.sizes.max) return invalid("No changes needed");
    group.resize(next);
    return { body: JSON.stringify({ update: { id: `update-${group.updates.length}`, status: "InProgress", type: "ConfigUpdate" } }) };
}

function sendJson(res: http.ServerResponse, answer: Answer): void {
    if ("fault" in answer) {
        res.writeHead(answer.fault.status, { "content-type": "application/json", "x-amzn-errortype": answer.fault.code });
        res.end(JSON.stringify({ message: answer.fault.message }));
        return;
    }
    res.writeHead(answer.status ?? 200, { "content-type": "application/json" });
    res.end(answer.body);
}

function sendXml(res: http.ServerResponse, operation: string, answer: Answer): void {
    const xmlns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    const requestId = "<ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata>";
    res.setHeader("content-type", "text/xml");
    if ("fault" in answer) {
        const type = answer.fault.status >= 500 ? "Receiver" : "Sender";
        res.writeHead(answer.fault.status);
        res.end(`<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${answer.fault.code}</Code><Message>${answer.fault.message}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`);
        return;
    }
    const result = answer.body ? `<${operation}Result>${answer.body}</${operation}Result>` : "";
    res.writeHead(answer.status ?? 200);
    res.end(`<${operation}Response xmlns="${xmlns}">${result}${requestId}</${operation}Response>`);
}
