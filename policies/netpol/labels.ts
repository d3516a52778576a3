/**
 * Label selectors, compiled once into predicates.
 *
 * Semantics (k8s.io/apimachinery labels.SelectorFromSet / LabelSelectorAsSelector):
 * - matchLabels and matchExpressions are ANDed; an empty selector `{}` matches everything.
 * - In: the key exists and its value is listed. NotIn: the key is absent OR its value is not listed (so NotIn matches
 *   objects without the key at all). Exists / DoesNotExist: the key is present / absent; they take no values.
 */
import { listAt, mappingAt, mappingsAt, Problems } from "./errors";
import { LabelSelector, LabelSelectorRequirement, Labels } from "./types";

export interface Selector {
    /** A canonical text of the selector, equal for selectors that select the same things; for caching. */
    readonly key: string;
    matches(labels: Labels): boolean;
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

export const MATCH_ALL: Selector = { key: "{}", matches: () => true };

/** Compiles `selector`, reporting every malformed requirement to `problems` (and matching nothing if any). */
export function compileSelector(selector: LabelSelector, path: string, problems: Problems): Selector {
    const tests: ((labels: Labels) => boolean)[] = [];
    const keyParts: string[] = [];
    const before = problems.list.length;

    for (const [key, value] of Object.entries(mappingAt<Labels>(selector.matchLabels, `${path}.matchLabels`, problems) ?? {})) {
        if (typeof value !== "string") {
            problems.add(`label ${key} must have a string value, got ${JSON.stringify(value)}`, `${path}.matchLabels`);
            continue;
        }
        tests.push((labels) => labels[key] === value);
        keyParts.push(`${key}=${value}`);
    }
    mappingsAt<LabelSelectorRequirement>(selector.matchExpressions, `${path}.matchExpressions`, problems).forEach(({ item: req, index }) => {
        const at = `${path}.matchExpressions[${index}]`;
        const values = listAt<string>(req.values, `${at}.values`, problems);
        if (typeof req.key !== "string" || req.key === "") return problems.add("key is required", at);
        const key = req.key;
        switch (req.operator) {
            case "In":
            case "NotIn": {
                if (values.length === 0) return problems.add(`operator ${req.operator} needs at least one value`, at);
                if (!values.every((v) => typeof v === "string")) return problems.add(`values must be strings; quote ${JSON.stringify(values)} in YAML`, `${at}.values`);
                const set = new Set(values);
                const isIn = (labels: Labels) => key in labels && set.has(labels[key]);
                tests.push(req.operator === "In" ? isIn : (labels) => !isIn(labels));
                keyParts.push(`${key} ${req.operator} (${[...set].sort().join(",")})`);
                return;
            }
            case "Exists":
            case "DoesNotExist": {
                if (values.length > 0) return problems.add(`operator ${req.operator} takes no values, got ${JSON.stringify(values)}`, at);
                const exists = req.operator === "Exists";
                tests.push((labels) => key in labels === exists);
                keyParts.push(`${exists ? "" : "!"}${key}`);
                return;
            }
            default:
                return problems.add(`unknown operator ${JSON.stringify(req.operator)}; use one of ${OPERATORS.join(", ")}`, `${at}.operator`);
        }
    });

    if (problems.list.length > before) return { key: `invalid:${path}`, matches: () => false };
    if (tests.length === 0) return MATCH_ALL;
    keyParts.sort();
    return { key: `{${keyParts.join(";")}}`, matches: (labels) => tests.every((t) => t(labels)) };
}

/** A selector in the words a person would use, for explanations: `role=frontend`, `all pods`. */
export function describeSelector(selector: LabelSelector | undefined, all: string): string {
    if (!selector) return all;
    const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
    for (const r of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
        parts.push(r.values && r.values.length > 0 ? `${r.key} ${r.operator} (${r.values.join(",")})` : `${r.key} ${r.operator}`);
    }
    return parts.length > 0 ? parts.join(", ") : all;
}
