/**
 * Is a flow allowed by NetworkPolicy? The rules, in the order this file applies them:
 *
 * 1. A pod talking to itself is always allowed (loopback never leaves the pod's network namespace; this is how
 *    kube-proxy and every major plugin behave, and why the upstream e2e tests ignore loopback). A workload talking to
 *    itself means one replica talking to another, and is evaluated like any other pair.
 * 2. A flow needs BOTH the source's egress and the destination's ingress to allow it.
 * 3. For each direction: an endpoint outside the cluster (`ip:`) has no policies, so its side always allows. A pod
 *    that no policy of that direction selects is not isolated and allows everything. A pod that is selected is
 *    isolated: the flow is allowed only if some rule of some selecting policy admits the peer AND the port
 *    (policies are additive; order never matters).
 * 4. ipBlock peers match only addresses outside the cluster, never pods, even when a pod's IP falls in the block.
 *    Kubernetes leaves this to the implementation (ipBlock "should be cluster-external IPs"); matching pods by IP
 *    would make verdicts depend on IPs that change at every restart.
 * 5. A named port in a rule means the destination pod's container port of that name and protocol; it matches no
 *    `ip:` destination. A port the destination does not declare is still governed by the policies.
 */
import { Address, cidrContains } from "./cidr";
import { Direction, Peer, Policy, PortMatcher, Rule } from "./compile";
import { ClusterModel, Shape } from "./model";
import { Protocol } from "./types";

export type FlowEndpoint =
    | { kind: "pod"; id: string; shape: Shape; /** set for a Pod object: a single pod, so talking to itself is loopback */ singlePod: boolean }
    | { kind: "external"; id: string; address: Address };

export interface Flow {
    from: FlowEndpoint;
    to: FlowEndpoint;
    port: number;
    protocol: Protocol;
}

export interface RuleRef {
    policy: string;
    /** 0-based index of the rule in the policy's ingress or egress list. */
    rule: number;
}

export interface DirectionResult {
    direction: Direction;
    /** False when this end of the flow is outside the cluster, where no NetworkPolicy applies. */
    applies: boolean;
    /** Policies that select this end for this direction, isolating it. */
    selectedBy: string[];
    /** Every rule that admits the flow. */
    allowedBy: RuleRef[];
    allowed: boolean;
}

export interface Verdict {
    allowed: boolean;
    loopback: boolean;
    ingress: DirectionResult;
    egress: DirectionResult;
}

/**
 * Compiled policies indexed for evaluation. Everything that depends only on a shape is computed once per shape and
 * kept in arrays indexed by shape id: which policies select it, and which peers match it. A matrix of thousands of
 * shapes then costs a few array reads per cell.
 */
export class Reachability {
    private readonly byNamespace = new Map<string, Policy[]>();
    private readonly selecting: Record<Direction, (Policy[] | undefined)[]> = { ingress: [], egress: [] };
    /** Per pod peer, per shape id: 1 matches, 2 does not, 0 not yet known. */
    private readonly peerMatchesShape = new Map<Peer, Uint8Array>();

    constructor(private readonly model: ClusterModel, policies: Policy[]) {
        for (const policy of policies) {
            const list = this.byNamespace.get(policy.namespace) ?? [];
            list.push(policy);
            this.byNamespace.set(policy.namespace, list);
        }
    }

    /** The verdict on one flow, with every policy and rule that decided it. */
    evaluate(flow: Flow): Verdict {
        if (isLoopback(flow)) return { allowed: true, loopback: true, ingress: notApplicable("ingress"), egress: notApplicable("egress") };
        const egress = this.direction("egress", flow.from, flow.to, flow);
        const ingress = this.direction("ingress", flow.to, flow.from, flow);
        return { allowed: egress.allowed && ingress.allowed, loopback: false, ingress, egress };
    }

    /** Whether one flow is allowed, the same answer as `evaluate(flow).allowed` without gathering the reasons. */
    isAllowed(flow: Flow): boolean {
        return isLoopback(flow) || (this.sideAdmits("egress", flow.from, flow.to, flow) && this.sideAdmits("ingress", flow.to, flow.from, flow));
    }

    /**
     * The verdict alone, between pods of two shapes (never a loopback: the caller knows whether both ends are one
     * pod). Nothing is allocated or cached per call, so a matrix may ask millions of times.
     */
    allows(from: Shape, to: Shape, port: number, protocol: Protocol): boolean {
        return this.sideAllows("egress", from, to, port, protocol, to) && this.sideAllows("ingress", to, from, port, protocol, to);
    }

    /** The policies of `direction` that select pods of `shape`. */
    policiesSelecting(shape: Shape, direction: Direction): Policy[] {
        let policies = this.selecting[direction][shape.id];
        if (!policies) {
            policies = (this.byNamespace.get(shape.namespace) ?? []).filter((p) => p.rules[direction] && p.podSelector.matches(shape.labels));
            this.selecting[direction][shape.id] = policies;
        }
        return policies;
    }

    private sideAllows(direction: Direction, subject: Shape, peer: Shape, port: number, protocol: Protocol, destination: Shape): boolean {
        const selecting = this.policiesSelecting(subject, direction);
        if (selecting.length === 0) return true;
        for (const policy of selecting) {
            for (const rule of policy.rules[direction]!) {
                const peerOk = rule.peers === "any" || rule.peers.some((p) => p.kind === "pods" && this.podPeerMatches(p, peer));
                if (peerOk && (rule.ports === "any" || rule.ports.some((m) => portMatchesShape(m, port, protocol, destination)))) return true;
            }
        }
        return false;
    }

    /** `direction(…).allowed`, stopping at the first rule that admits the flow. */
    private sideAdmits(direction: Direction, subject: FlowEndpoint, peer: FlowEndpoint, flow: Flow): boolean {
        if (subject.kind === "external") return true;
        const selecting = this.policiesSelecting(subject.shape, direction);
        return selecting.length === 0 || selecting.some((policy) => policy.rules[direction]!.some((rule) => this.ruleAdmits(rule, peer, flow)));
    }

    /** Does `subject`'s side of the flow, in `direction`, allow traffic with `peer` at the other end? */
    private direction(direction: Direction, subject: FlowEndpoint, peer: FlowEndpoint, flow: Flow): DirectionResult {
        if (subject.kind === "external") return notApplicable(direction);
        const selecting = this.policiesSelecting(subject.shape, direction);
        const allowedBy: RuleRef[] = [];
        for (const policy of selecting) {
            for (const rule of policy.rules[direction] ?? []) {
                if (this.ruleAdmits(rule, peer, flow)) allowedBy.push({ policy: policy.id, rule: rule.index });
            }
        }
        return {
            direction,
            applies: true,
            selectedBy: selecting.map((p) => p.id),
            allowedBy,
            allowed: selecting.length === 0 || allowedBy.length > 0,
        };
    }

    private ruleAdmits(rule: Rule, peer: FlowEndpoint, flow: Flow): boolean {
        const peerOk = rule.peers === "any" || rule.peers.some((p) => this.peerMatches(p, peer));
        return peerOk && (rule.ports === "any" || rule.ports.some((m) => portMatches(m, flow)));
    }

    private peerMatches(peer: Peer, endpoint: FlowEndpoint): boolean {
        if (peer.kind === "ipBlock") {
            return endpoint.kind === "external" && cidrContains(peer.cidr, endpoint.address) && !peer.except.some((e) => cidrContains(e, endpoint.address));
        }
        return endpoint.kind === "pod" && this.podPeerMatches(peer, endpoint.shape);
    }

    private podPeerMatches(peer: Extract<Peer, { kind: "pods" }>, shape: Shape): boolean {
        let known = this.peerMatchesShape.get(peer);
        if (!known) {
            known = new Uint8Array(this.model.shapes.length);
            this.peerMatchesShape.set(peer, known);
        }
        if (known[shape.id] === 0) {
            const namespace = shape.namespace;
            const namespaceOk = peer.namespace.kind === "same"
                ? peer.namespace.name === namespace
                : peer.namespace.selector.matches(this.model.namespaces.get(namespace)?.labels ?? {});
            known[shape.id] = namespaceOk && peer.pods.matches(shape.labels) ? 1 : 2;
        }
        return known[shape.id] === 1;
    }
}

/** A port matcher against a flow to a pod of shape `destination` (whose declared ports give named ports a number). */
function portMatchesShape(m: PortMatcher, port: number, protocol: Protocol, destination: Shape): boolean {
    if (m.protocol !== protocol) return false;
    if (m.port === undefined) return true;
    if (typeof m.port === "number") return m.endPort === undefined ? m.port === port : m.port <= port && port <= m.endPort;
    return destination.ports.some((p) => p.name === m.port && p.protocol === protocol && p.port === port);
}

function portMatches(m: PortMatcher, flow: Flow): boolean {
    // A named port is the destination pod's: it must declare that name, for this protocol, on this number.
    if (flow.to.kind === "pod") return portMatchesShape(m, flow.port, flow.protocol, flow.to.shape);
    return m.protocol === flow.protocol && typeof m.port !== "string" && (m.port === undefined || (m.endPort === undefined ? m.port === flow.port : m.port <= flow.port && flow.port <= m.endPort));
}

function notApplicable(direction: Direction): DirectionResult {
    return { direction, applies: false, selectedBy: [], allowedBy: [], allowed: true };
}

/** A single Pod to itself: loopback, which never passes through policy. */
function isLoopback(flow: Flow): boolean {
    return flow.from.kind === "pod" && flow.from.singlePod && flow.to.kind === "pod" && flow.from.id === flow.to.id;
}
