/**
 * NetworkPolicies compiled once: selectors into predicates, CIDRs into numbers, ports into matchers, with every
 * validation the API server would do. Evaluation then never fails.
 *
 * The shapes of a policy that matter, and the traps in them:
 * - `policyTypes` absent: Ingress always, plus Egress when the policy has at least one egress rule (API defaulting).
 * - A policy type with no rules isolates and allows nothing ("deny all" in that direction).
 * - `from`/`to` absent or empty: the rule admits every peer, inside the cluster or not.
 * - `ports` absent or empty: the rule admits every port and protocol.
 * - In one peer, `podSelector` AND `namespaceSelector`; separate peers in a list are ORed.
 * - `podSelector` alone means pods of the policy's own namespace; `namespaceSelector: {}` means every namespace.
 */
import { cidrWithin, parseCidr, Cidr } from "./cidr";
import { listAt, mappingAt, mappingsAt, Problems } from "./errors";
import { Classified } from "./kinds";
import { compileSelector, describeSelector, MATCH_ALL, Selector } from "./labels";
import { isPortNumber, isProtocol } from "./model";
import { PORT_NAME } from "./ports";
import { show } from "./show";
import {
    IPBlock,
    LabelSelector,
    NetworkPolicyEgressRule,
    NetworkPolicyIngressRule,
    NetworkPolicyPeer,
    NetworkPolicyPort,
    NetworkPolicySpec,
    Protocol,
    PROTOCOLS,
    Source,
} from "./types";

export type Direction = "ingress" | "egress";

export type Peer =
    | { kind: "pods"; namespace: { kind: "same"; name: string } | { kind: "selector"; selector: Selector }; pods: Selector; text: string }
    | { kind: "ipBlock"; cidr: Cidr; except: Cidr[]; text: string };

export interface PortMatcher {
    /** 0-based position in the rule's `ports`. */
    index: number;
    protocol: Protocol;
    /** A number, a range start, or a named port; absent for every port of the protocol. */
    port?: number | string;
    endPort?: number;
}

export interface Rule {
    /** 0-based position among the policy's rules of that direction. */
    index: number;
    /** "any" when `from`/`to` is absent or empty. */
    peers: Peer[] | "any";
    /** "any" when `ports` is absent or empty. */
    ports: PortMatcher[] | "any";
}

export interface Policy {
    /** `namespace/name` */
    id: string;
    namespace: string;
    podSelector: Selector;
    /** Rules per direction the policy isolates; a direction it does not isolate is absent. */
    rules: Partial<Record<Direction, Rule[]>>;
    source: Source;
}

/** Compiles every NetworkPolicy; problems are collected, not thrown. */
export function compilePolicies(objects: Classified[], problems: Problems): Policy[] {
    return objects.map(({ object, source, name, namespace }) => {
        const at = problems.at(source);
        const spec: NetworkPolicySpec = mappingAt<NetworkPolicySpec>(object.spec, "spec", at) ?? {};
        const podSelector = mappingAt<LabelSelector>(spec.podSelector, "spec.podSelector", at);
        const types = policyTypesOf(spec, at);
        const policy: Policy = {
            id: `${namespace}/${name}`,
            namespace,
            // Absent podSelector decodes as the empty selector: every pod in the namespace.
            podSelector: podSelector ? compileSelector(podSelector, "spec.podSelector", at) : MATCH_ALL,
            rules: {},
            source,
        };
        // With invalid policyTypes both directions are still compiled, so that their problems are reported too.
        if (types?.includes("Ingress") ?? true) policy.rules.ingress = compileRules(spec.ingress, "ingress", namespace, at);
        if (types?.includes("Egress") ?? true) policy.rules.egress = compileRules(spec.egress, "egress", namespace, at);
        return policy;
    });
}

/** The directions the policy isolates, defaulted as the API server does; undefined when `policyTypes` is invalid. */
function policyTypesOf(spec: NetworkPolicySpec, problems: Problems): string[] | undefined {
    if (spec.policyTypes === undefined || spec.policyTypes === null) return Array.isArray(spec.egress) && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
    const before = problems.list.length;
    const types = listAt<unknown>(spec.policyTypes, "spec.policyTypes", problems);
    types.forEach((t, i) => {
        if (t !== "Ingress" && t !== "Egress") problems.add(`unknown policy type ${show(t)}; use Ingress or Egress`, `spec.policyTypes[${i}]`);
    });
    return problems.list.length > before ? undefined : (types as string[]);
}

function compileRules(rules: unknown, direction: Direction, namespace: string, problems: Problems): Rule[] {
    const peerField = direction === "ingress" ? "from" : "to";
    return mappingsAt<NetworkPolicyIngressRule & NetworkPolicyEgressRule>(rules, `spec.${direction}`, problems).map(({ item: rule, index }) => {
        const path = `spec.${direction}[${index}]`;
        const peers = mappingsAt<NetworkPolicyPeer>(rule[peerField], `${path}.${peerField}`, problems);
        const ports = mappingsAt<NetworkPolicyPort>(rule.ports, `${path}.ports`, problems);
        return {
            index,
            peers: peers.length === 0 ? "any" : peers.map((p) => compilePeer(p.item, `${path}.${peerField}[${p.index}]`, namespace, problems)),
            ports: ports.length === 0 ? "any" : ports.map((p) => compilePort(p.item, p.index, `${path}.ports[${p.index}]`, problems)),
        };
    });
}

function compilePeer(peer: NetworkPolicyPeer, path: string, namespace: string, problems: Problems): Peer {
    const ipBlock = mappingAt<IPBlock>(peer.ipBlock, `${path}.ipBlock`, problems);
    const podSelector = mappingAt<LabelSelector>(peer.podSelector, `${path}.podSelector`, problems);
    const namespaceSelector = mappingAt<LabelSelector>(peer.namespaceSelector, `${path}.namespaceSelector`, problems);
    if (ipBlock) {
        if (podSelector || namespaceSelector) problems.add("ipBlock cannot be combined with podSelector or namespaceSelector in one peer; make them separate peers", path);
        return compileIpBlock(ipBlock.cidr, listAt<unknown>(ipBlock.except, `${path}.ipBlock.except`, problems), `${path}.ipBlock`, problems);
    }
    if (!podSelector && !namespaceSelector) {
        problems.add("a peer needs podSelector, namespaceSelector or ipBlock", path);
    }
    const pods = podSelector ? compileSelector(podSelector, `${path}.podSelector`, problems) : MATCH_ALL;
    const podText = describeSelector(pods, "all pods");
    if (!namespaceSelector) {
        return { kind: "pods", namespace: { kind: "same", name: namespace }, pods, text: `${podText} in namespace ${namespace}` };
    }
    const selector = compileSelector(namespaceSelector, `${path}.namespaceSelector`, problems);
    const nsText = describeSelector(selector, "all namespaces");
    return { kind: "pods", namespace: { kind: "selector", selector }, pods, text: `${podText} in namespaces ${nsText}` };
}

function compileIpBlock(cidrText: unknown, exceptTexts: unknown[], path: string, problems: Problems): Peer {
    const cidr = typeof cidrText === "string" ? parseCidr(cidrText) : undefined;
    if (!cidr) {
        problems.add(`${show(cidrText)} is not a CIDR; use the form "10.0.0.0/16" or "2001:db8::/32"`, `${path}.cidr`);
        return { kind: "ipBlock", cidr: { family: 4, base: 0n, prefix: 33 }, except: [], text: "invalid" };
    }
    const except = exceptTexts.flatMap((text, i) => {
        const at = `${path}.except[${i}]`;
        const block = typeof text === "string" ? parseCidr(text) : undefined;
        if (!block) problems.add(`${show(text)} is not a CIDR`, at);
        else if (!cidrWithin(block, cidr) || block.prefix === cidr.prefix) problems.add(`${text} must lie strictly inside ${cidrText}`, at);
        else return [block];
        return [];
    });
    const exceptText = except.length > 0 ? ` except ${exceptTexts.join(", ")}` : "";
    return { kind: "ipBlock", cidr, except, text: `${cidrText}${exceptText}` };
}

function compilePort(p: NetworkPolicyPort, index: number, path: string, problems: Problems): PortMatcher {
    const protocol = p.protocol ?? "TCP";
    if (!isProtocol(protocol)) problems.add(`protocol must be one of ${PROTOCOLS.join(", ")}, got ${show(protocol)}`, `${path}.protocol`);
    const matcher: PortMatcher = { index, protocol: isProtocol(protocol) ? protocol : "TCP" };
    if (p.port === undefined) {
        if (p.endPort !== undefined) problems.add("endPort needs a numeric port", `${path}.endPort`);
        return matcher;
    }
    if (typeof p.port === "string") {
        // Kubernetes reads a quoted "80" as a port name, and names need a letter.
        const hint = /^\d+$/.test(p.port) ? "; write the number without quotes" : " (1-15 lowercase letters, digits and hyphens)";
        if (!PORT_NAME.test(p.port)) problems.add(`${show(p.port)} is not a valid port name${hint}`, `${path}.port`);
        if (p.endPort !== undefined) problems.add("endPort cannot be used with a named port", `${path}.endPort`);
        return { ...matcher, port: p.port };
    }
    const port = p.port;
    if (!isPortNumber(port)) problems.add(`port must be from 1 to 65535, got ${show(p.port)}`, `${path}.port`);
    if (p.endPort === undefined) return { ...matcher, port };
    if (!isPortNumber(p.endPort)) problems.add(`endPort must be from 1 to 65535, got ${show(p.endPort)}`, `${path}.endPort`);
    else if (p.endPort < port) problems.add(`endPort ${p.endPort} is below port ${port}; a range needs port <= endPort`, `${path}.endPort`);
    return { ...matcher, port, endPort: p.endPort };
}
