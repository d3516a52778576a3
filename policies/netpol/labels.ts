/**
 * Labels and label selectors: label maps checked with Kubernetes' syntax, selectors compiled once into predicates.
 *
 * Semantics (k8s.io/apimachinery labels.SelectorFromSet / LabelSelectorAsSelector), with own properties only (a label
 * key such as `constructor` must not find Object's):
 * - matchLabels and matchExpressions are ANDed; an empty selector `{}` matches everything.
 * - In: the key exists and its value is listed. NotIn: the key is absent OR its value is not listed (so NotIn matches
 *   objects without the key at all). Exists / DoesNotExist: the key is present / absent; they take no values.
 */
import { listAt, mappingAt, mappingsAt, Problems } from "./errors";
import { labelKeyProblem, labelValueProblem } from "./names";
import { show } from "./show";
import { LabelSelector, LabelSelectorRequirement, Labels } from "./types";

export interface Selector {
    /** A canonical text of the selector, equal for selectors that select the same things; for caching. */
    readonly key: string;
    /** The selector in the words a person would use, for explanations: `role=frontend`; "" when it selects all. */
    readonly text: string;
    matches(labels: Labels): boolean;
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

export const MATCH_ALL: Selector = { key: "{}", text: "", matches: () => true };

/**
 * A map of label keys to values (`metadata.labels`, `matchLabels`, an RC's `selector`), every key and value checked
 * with Kubernetes' syntax; the bad ones are reported and left out.
 */
export function labelsAt(value: unknown, path: string, problems: Problems): Labels {
    const map = mappingAt<Record<string, unknown>>(value, path, problems);
    const labels: Labels = {};
    for (const [key, v] of Object.entries(map ?? {})) {
        // YAML turns `tier: 1` or `enabled: true` into non-strings; Kubernetes would reject them, so do we.
        if (typeof v !== "string") {
            problems.add(`label ${show(key)} must be a string; quote ${show(v)} in YAML`, path);
            continue;
        }
        const bad = labelKeyProblem(key) ?? labelValueProblem(v);
        if (bad) problems.add(bad, path);
        else labels[key] = v;
    }
    return labels;
}

/** Compiles `selector`, reporting every malformed part to `problems` (and matching nothing if any). */
export function compileSelector(selector: LabelSelector, path: string, problems: Problems): Selector {
    const tests: ((labels: Labels) => boolean)[] = [];
    const keyParts: string[] = [];
    const textParts: string[] = [];
    const before = problems.list.length;

    for (const [key, value] of Object.entries(labelsAt(selector.matchLabels, `${path}.matchLabels`, problems))) {
        tests.push((labels) => Object.hasOwn(labels, key) && labels[key] === value);
        keyParts.push(`${key}=${value}`);
        textParts.push(`${key}=${value}`);
    }
    for (const { item, index } of mappingsAt<LabelSelectorRequirement>(selector.matchExpressions, `${path}.matchExpressions`, problems)) {
        const requirement = compileRequirement(item, `${path}.matchExpressions[${index}]`, problems);
        if (!requirement) continue;
        tests.push(requirement.test);
        keyParts.push(requirement.key);
        textParts.push(requirement.text);
    }

    if (problems.list.length > before) return { key: `invalid:${path}`, text: "invalid", matches: () => false };
    if (tests.length === 0) return MATCH_ALL;
    keyParts.sort();
    return { key: `{${keyParts.join(";")}}`, text: textParts.join(", "), matches: (labels) => tests.every((t) => t(labels)) };
}

interface Requirement {
    test: (labels: Labels) => boolean;
    key: string;
    text: string;
}

/** One `matchExpressions` entry, every field checked for its type and syntax before use. */
function compileRequirement(req: LabelSelectorRequirement, at: string, problems: Problems): Requirement | undefined {
    const values = listAt<unknown>(req.values, `${at}.values`, problems);
    if (req.key === undefined || req.key === "") return void problems.add("key is required", at);
    if (typeof req.key !== "string") return void problems.add(`key must be a label key, got ${show(req.key)}`, `${at}.key`);
    const badKey = labelKeyProblem(req.key);
    if (badKey) return void problems.add(badKey, `${at}.key`);
    const key = req.key;
    switch (req.operator) {
        case "In":
        case "NotIn": {
            if (values.length === 0) return void problems.add(`operator ${req.operator} needs at least one value`, at);
            if (!values.every((v): v is string => typeof v === "string")) return void problems.add(`values must be strings; quote ${show(values)} in YAML`, `${at}.values`);
            const badValue = values.map(labelValueProblem).find((p) => p !== undefined);
            if (badValue) return void problems.add(badValue, `${at}.values`);
            const set = new Set(values);
            const isIn = (labels: Labels) => Object.hasOwn(labels, key) && set.has(labels[key]);
            const list = [...set].sort().join(",");
            return { test: req.operator === "In" ? isIn : (labels) => !isIn(labels), key: `${key} ${req.operator} (${list})`, text: `${key} ${req.operator} (${values.join(",")})` };
        }
        case "Exists":
        case "DoesNotExist": {
            if (values.length > 0) return void problems.add(`operator ${req.operator} takes no values, got ${show(values)}`, at);
            const exists = req.operator === "Exists";
            return { test: (labels) => Object.hasOwn(labels, key) === exists, key: `${exists ? "" : "!"}${key}`, text: `${key} ${req.operator}` };
        }
        default:
            return void problems.add(`unknown operator ${show(req.operator)}; use one of ${OPERATORS.join(", ")}`, `${at}.operator`);
    }
}

/** A selector's text for explanations, or `all` when it selects everything. */
export function describeSelector(selector: Selector | undefined, all: string): string {
    return selector && selector.text !== "" ? selector.text : all;
}
