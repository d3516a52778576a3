/**
 * Drift: the NetworkPolicies in the demo namespaces against the ones the stack's configuration deploys. Missing (the
 * stack has it, the cluster does not), extra (someone applied it by hand, or a stage change left it), changed.
 *
 * The API server returns a policy with its defaults filled in and its empty fields dropped, so both sides are compared
 * in one normal form, which keeps every difference in meaning and loses only differences in spelling:
 * - `policyTypes` as the API server defaults it (Ingress, plus Egress when there are egress rules), in a fixed order;
 * - a port's `protocol` defaults to TCP;
 * - an empty or absent list is the same (`from: []` and no `from` both mean every peer; `ingress: []` and no `ingress`
 *   both mean no rule), and so are an empty and an absent `matchLabels`.
 * Empty selectors (`{}`) are kept as they are: `{podSelector: {}}` and `{namespaceSelector: {}}` mean different peers.
 */
import { NetworkPolicySpec } from "../netpol/types";

export interface PolicyRef {
    namespace: string;
    name: string;
    spec: NetworkPolicySpec;
}

export interface PolicyChange {
    /** `spec.ingress[0].ports[0].port` */
    path: string;
    intended: unknown;
    live: unknown;
}

export interface Drift {
    missing: string[];
    extra: string[];
    changed: { policy: string; changes: PolicyChange[] }[];
}

/** At most this many differences are listed per policy: the first few say what happened. */
export const MAX_CHANGES_PER_POLICY = 10;

export function policyDrift(intended: PolicyRef[], live: PolicyRef[]): Drift {
    const id = (p: PolicyRef) => `${p.namespace}/${p.name}`;
    const liveById = new Map(live.map((p) => [id(p), p]));
    const intendedIds = new Set(intended.map(id));
    const changed: Drift["changed"] = [];
    for (const want of intended) {
        const have = liveById.get(id(want));
        if (!have) continue;
        const changes = differences(normalSpec(want.spec), normalSpec(have.spec), "spec");
        if (changes.length > 0) changed.push({ policy: id(want), changes: changes.slice(0, MAX_CHANGES_PER_POLICY) });
    }
    return {
        missing: intended.map(id).filter((p) => !liveById.has(p)).sort(),
        extra: live.map(id).filter((p) => !intendedIds.has(p)).sort(),
        changed: changed.sort((a, b) => a.policy.localeCompare(b.policy)),
    };
}

export function hasDrift(drift: Drift): boolean {
    return drift.missing.length + drift.extra.length + drift.changed.length > 0;
}

/** The spec in the normal form described above. */
export function normalSpec(spec: NetworkPolicySpec | undefined): unknown {
    const s = spec ?? {};
    const policyTypes = s.policyTypes && s.policyTypes.length > 0 ? s.policyTypes : ["Ingress", ...(s.egress && s.egress.length > 0 ? ["Egress"] : [])];
    return normal({ ...s, policyTypes: [...policyTypes].sort() }, "");
}

/** `value` in normal form; `list` is the key of the list it is an item of, if it is one. */
function normal(value: unknown, list: string): unknown {
    if (Array.isArray(value)) return value;
    if (value === null || typeof value !== "object") return value;
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) {
        if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
        if (k === "matchLabels" && typeof v === "object" && Object.keys(v).length === 0) continue;
        result[k] = Array.isArray(v) ? v.map((item) => normal(item, k)) : normal(v, "");
    }
    if (list === "ports" && !("protocol" in result)) result.protocol = "TCP"; // a NetworkPolicyPort's default
    return result;
}

/** Where two normal forms differ, as paths with both values. */
function differences(intended: unknown, live: unknown, path: string): PolicyChange[] {
    if (isMapping(intended) && isMapping(live)) {
        const keys = [...new Set([...Object.keys(intended), ...Object.keys(live)])].sort();
        return keys.flatMap((k) => differences(intended[k], live[k], `${path}.${k}`));
    }
    if (Array.isArray(intended) && Array.isArray(live) && intended.length === live.length) {
        return intended.flatMap((item, i) => differences(item, live[i], `${path}[${i}]`));
    }
    return JSON.stringify(intended) === JSON.stringify(live) ? [] : [{ path, intended, live }];
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
