/**
 * Verdicts in words: a one-line reason for each flow, and a full account of one flow that names every policy that
 * selects either end and what each of its rules says.
 */
import { Analysis } from "./analysis";
import { Direction, Peer, Policy, PortMatcher, Rule } from "./compile";
import { DirectionResult, Flow, FlowEndpoint, RuleRef, Verdict } from "./evaluate";
import { NO_KIND } from "./kinds";
import { NAMESPACE_NAME_LABEL } from "./model";

export function describeFlow(flow: Flow): string {
    return `${flow.from.id} -> ${flow.to.id} on ${flow.protocol} ${flow.port}`;
}

/** One line: why the flow is allowed or denied. */
export function reasonFor(flow: Flow, verdict: Verdict): string {
    if (verdict.loopback) return "allowed: a pod always reaches itself (loopback is never subject to NetworkPolicy)";
    const sides = [sideReason(verdict.egress, flow.from, flow), sideReason(verdict.ingress, flow.to, flow)];
    if (verdict.allowed) return `allowed: ${sides.join("; ")}`;
    return `denied: ${sides.filter((_, i) => ![verdict.egress, verdict.ingress][i].allowed).join("; ")}`;
}

function sideReason(result: DirectionResult, subject: FlowEndpoint, flow: Flow): string {
    const role = result.direction === "egress" ? "egress from" : "ingress to";
    if (!result.applies) return `${role} ${subject.id} is outside the cluster, where no policy applies`;
    if (result.selectedBy.length === 0) return `${role} ${subject.id} is not isolated (no policy selects it for ${result.direction})`;
    if (result.allowed) return `${role} ${subject.id} is allowed by ${result.allowedBy.map((r) => ruleName(r, result.direction)).join(", ")}`;
    const other = result.direction === "egress" ? `traffic to ${flow.to.id}` : `traffic from ${flow.from.id}`;
    return `${subject.id} is isolated for ${result.direction} by ${result.selectedBy.join(", ")}, and no ${result.direction} rule admits ${other} on ${flow.protocol} ${flow.port}`;
}

/** `stars/backend-policy ingress[0]`: the policy, and the rule's index as in the manifest. */
export function ruleName(ref: RuleRef, direction: Direction): string {
    return `${ref.policy} ${direction}[${ref.rule}]`;
}

/** Every line of the account of one flow. */
export function explain(analysis: Analysis, flow: Flow, verdict: Verdict): string[] {
    const lines = [`${describeFlow(flow)}: ${verdict.allowed ? "ALLOWED" : "DENIED"}`];
    if (verdict.loopback) return [...lines, "  a pod always reaches itself: loopback is never subject to NetworkPolicy"];
    const byId = new Map(analysis.policies.map((p) => [p.id, p]));
    lines.push(...directionAccount(verdict.egress, flow.from, byId), ...directionAccount(verdict.ingress, flow.to, byId));
    return [...lines, ...notes(analysis)];
}

/**
 * What a user should know about how the input was read: namespaces that had to be assumed, objects not used (by
 * kind), and named ports in policies that no pod declares.
 */
export function notes(analysis: Analysis): string[] {
    const lines: string[] = [];
    if (analysis.assumedNamespaces.length > 0) {
        lines.push(`note: namespaces not defined in the manifests, assumed to exist with only the ${NAMESPACE_NAME_LABEL} label: ${analysis.assumedNamespaces.join(", ")}`);
    }
    if (analysis.unused.size > 0) {
        // By kind, with documents that have none last.
        const order = ([kind]: [string, number]) => (kind === NO_KIND ? "\uffff" : kind);
        const counts = [...analysis.unused.entries()].sort((a, b) => (order(a) < order(b) ? -1 : 1)).map(([kind, n]) => `${n} ${kind === NO_KIND ? "without kind" : kind}`);
        lines.push(`note: not used (netpol reads Namespaces, Pods, workloads and networking.k8s.io NetworkPolicies): ${counts.join(", ")}`);
    }
    for (const u of analysis.undeclaredPorts) {
        const source = u.policy.source;
        const line = source.locate?.(u.path) ?? source.line;
        lines.push(`note: ${source.file}:${line}: ${u.path}: no pod declares a ${u.protocol} port named ${JSON.stringify(u.name)}, so in ${u.policy.id} it matches nothing`);
    }
    return lines;
}

function directionAccount(result: DirectionResult, subject: FlowEndpoint, byId: Map<string, Policy>): string[] {
    const title = `${result.direction === "egress" ? "egress from" : "ingress to"} ${subject.id}`;
    if (!result.applies) return [`${title}: outside the cluster, no policy applies`];
    if (result.selectedBy.length === 0) return [`${title}: allowed, not isolated (no policy selects it for ${result.direction})`];
    const lines = [`${title}: ${result.allowed ? "allowed" : "DENIED"}, isolated by ${result.selectedBy.join(", ")}`];
    const admitting = new Set(result.allowedBy.map((r) => `${r.policy}#${r.rule}`));
    for (const id of result.selectedBy) {
        const rules = byId.get(id)?.rules[result.direction] ?? [];
        if (rules.length === 0) lines.push(`  ${id}: no ${result.direction} rules, so it admits nothing`);
        for (const rule of rules) {
            const mark = admitting.has(`${id}#${rule.index}`) ? "admits this flow" : "does not match";
            lines.push(`  ${id} ${result.direction}[${rule.index}]: ${describeRule(rule, result.direction)}: ${mark}`);
        }
    }
    return lines;
}

function describeRule(rule: Rule, direction: Direction): string {
    const peers = rule.peers === "any" ? "any peer" : rule.peers.map(describePeer).join(" or ");
    const ports = rule.ports === "any" ? "all ports" : rule.ports.map(describePort).join(", ");
    return `${direction === "ingress" ? "from" : "to"} ${peers}, on ${ports}`;
}

function describePeer(peer: Peer): string {
    return peer.kind === "ipBlock" ? `addresses in ${peer.text}` : peer.text;
}

export function describePort(m: PortMatcher): string {
    if (m.port === undefined) return `all ${m.protocol} ports`;
    if (typeof m.port === "string") return `${m.protocol} port named ${m.port}`;
    return m.endPort === undefined ? `${m.protocol} ${m.port}` : `${m.protocol} ${m.port}-${m.endPort}`;
}
