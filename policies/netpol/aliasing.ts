/**
 * Aliases in a parsed YAML document, measured as Kubernetes' YAML decoding (go-yaml) counts them.
 *
 * js-yaml returns an alias as a second reference to the same object, so parsing itself stays small; but anything that
 * walks the result (validation, an error message) walks every expansion, and a few hundred bytes of nested aliases
 * expand to billions of nodes. go-yaml counts the nodes it decodes and those it decodes inside an alias, and refuses a
 * document whose share of aliased nodes is too high for its size (see `allowedAliasRatio`). The same counts are
 * computed here on the shared structure, each object once, so measuring costs no more than the document's own size.
 */
import { ALIAS_CHECK_FLOOR, allowedAliasRatio, MAX_NESTING } from "./limits";

export interface Expansion {
    /** Nodes decoding the document produces, every alias expanded (keys of mappings count, as in go-yaml). */
    nodes: number;
    /** Of those, the nodes produced inside an alias expansion. */
    aliased: number;
    /** Levels of nested mappings and lists once aliases are expanded (a scalar is 0, `{}` is 1). */
    depth: number;
}

/** Why `value` must be refused (excessive aliasing, an alias inside its own anchor, nesting), or undefined. */
export function aliasProblem(value: unknown): string | undefined {
    let expansion: Expansion;
    try {
        expansion = measure(value);
    } catch (e) {
        if (e instanceof SelfReference) return "an alias refers to its own anchor, so the document has no end; Kubernetes refuses it too";
        throw e;
    }
    const { nodes, aliased, depth } = expansion;
    if (depth > MAX_NESTING) return `aliases nest it ${depth} levels deep, deeper than the limit of ${MAX_NESTING} levels`;
    if (aliased > ALIAS_CHECK_FLOOR.aliases && nodes > ALIAS_CHECK_FLOOR.nodes && aliased / nodes > allowedAliasRatio(nodes)) {
        const share = `${Math.floor((aliased / nodes) * 100)}%`;
        const allowed = `${Math.round(allowedAliasRatio(nodes) * 100)}%`;
        return `excessive aliasing: aliases expand it to ${formatCount(nodes)} nodes, ${share} of them from aliases; ` +
            `the limit, as in Kubernetes' YAML decoding, is ${allowed} at this size (99% up to 400,000 nodes, 10% from 4,000,000)`;
    }
    return undefined;
}

class SelfReference extends Error {}

interface Frame {
    object: object;
    children: unknown[];
    next: number;
    keys: number;
    nodes: number;
    aliased: number;
    depth: number;
}

/**
 * The expansion of `value`, walking each object once (post-order, with an explicit stack: the shared structure may be
 * deep once expanded, and only its first occurrences are walked). The first time an object is met is its anchor;
 * every later reference is an alias, which costs one node plus the whole expansion of its target, all of it aliased.
 */
export function measure(value: unknown): Expansion {
    if (typeof value !== "object" || value === null) return { nodes: 1, aliased: 0, depth: 0 };
    const done = new Map<object, Expansion>();
    const open = new Set<object>();
    const frame = (object: object): Frame => {
        open.add(object);
        const children = Array.isArray(object) ? object : Object.values(object);
        return { object, children, next: 0, keys: Array.isArray(object) ? 0 : children.length, nodes: 0, aliased: 0, depth: 0 };
    };
    const stack = [frame(value)];
    let result: Expansion = { nodes: 1, aliased: 0, depth: 0 };
    while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.next < top.children.length) {
            const child = top.children[top.next++];
            if (typeof child !== "object" || child === null) {
                top.nodes += 1;
                continue;
            }
            const seen = done.get(child);
            if (seen) {
                top.nodes += 1 + seen.nodes;
                top.aliased += seen.nodes;
                top.depth = Math.max(top.depth, seen.depth);
            } else if (open.has(child)) {
                throw new SelfReference();
            } else {
                stack.push(frame(child));
            }
            continue;
        }
        stack.pop();
        open.delete(top.object);
        result = { nodes: 1 + top.keys + top.nodes, aliased: top.aliased, depth: top.depth + 1 };
        done.set(top.object, result);
        const parent = stack[stack.length - 1];
        if (parent) {
            parent.nodes += result.nodes;
            parent.aliased += result.aliased;
            parent.depth = Math.max(parent.depth, result.depth);
        }
    }
    return result;
}

function formatCount(n: number): string {
    return n >= 1e15 ? n.toExponential(2) : Math.round(n).toLocaleString("en-US");
}
