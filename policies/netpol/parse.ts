/**
 * One YAML or JSON document parsed fast (js-yaml, no node positions), within the bounds of limits.ts, remembering the
 * line of each item of its top-level lists: a List's `items` and a flows file's entries are what messages point at.
 */
import * as jsYaml from "js-yaml";
import { CORE_SCHEMA, load, Type, YAMLException } from "js-yaml";
import { aliasProblem } from "./aliasing";
import { MAX_NESTING } from "./limits";

/**
 * YAML's JSON-compatible core schema, plus merge keys (`<<: *defaults`), which Kubernetes' YAML decoding also
 * understands. Its other YAML 1.1 types (timestamps, binary, sets) are not part of any Kubernetes field netpol reads.
 */
const SCHEMA = CORE_SCHEMA.extend({ implicit: [(jsYaml as unknown as { types: { merge: Type } }).types.merge] });

/** Lists at most this deep (the document is 1) get their items' lines recorded: deep enough for a List's `items`. */
const RECORDED_DEPTH = 4;

export type Parsed =
    | { ok: true; value: unknown; itemLines: (path: (string | number)[]) => number[] | undefined }
    | { ok: false; /** 0-based within the text; absent for a problem of the whole document */ line?: number; message: string };

/**
 * Parses `text`. Syntax errors, nesting deeper than `MAX_NESTING` and excessive aliasing all fail here, before
 * anything walks the value. `itemLines(path)` gives the 0-based lines of the items of the list at `path` (`["items"]`
 * in a List, `[]` in a flows file); only a message needs them, so they are found then, by parsing once more.
 */
export function parseYaml(text: string): Parsed {
    let value: unknown;
    try {
        value = load(text, { schema: SCHEMA, maxDepth: MAX_NESTING } as never);
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        return { ok: false, line: e.mark?.line ?? 0, message: syntaxMessage(e) };
    }
    // Every alias is written with "*": a text without one has none to measure.
    const problem = text.includes("*") ? aliasProblem(value) : undefined;
    if (problem) return { ok: false, message: problem };
    let lines: ((path: (string | number)[]) => number[] | undefined) | undefined;
    return { ok: true, value, itemLines: (path) => (lines ??= recordItemLines(text))(path) };
}

/**
 * Parses `text` again, recording the line each node opens on, and keeps, for each list at most `RECORDED_DEPTH`
 * deep, the lines of its items. Allocation-free per node: the lines of a node's children go to one log per depth,
 * cut back when the node closes.
 */
function recordItemLines(text: string): (path: (string | number)[]) => number[] | undefined {
    const byList = new Map<unknown[], number[]>();
    const logs: number[][] = Array.from({ length: RECORDED_DEPTH + 2 }, () => []);
    const starts: number[] = [];
    const listener = (event: "open" | "close", state: { depth: number; line: number; result: unknown }) => {
        const depth = state.depth;
        if (depth > RECORDED_DEPTH + 1) return;
        if (event === "open") {
            logs[depth - 1].push(state.line);
            starts[depth] = logs[depth].length;
        } else if (depth <= RECORDED_DEPTH) {
            if (Array.isArray(state.result)) byList.set(state.result, logs[depth].slice(starts[depth]));
            logs[depth].length = starts[depth];
        }
    };
    const root = load(text, { schema: SCHEMA, maxDepth: MAX_NESTING, listener } as never);
    return (path) => {
        let node: unknown = root;
        for (const step of path) node = (node as Record<string | number, unknown> | null | undefined)?.[step];
        return Array.isArray(node) ? byList.get(node) : undefined;
    };
}

function syntaxMessage(e: YAMLException): string {
    if (/^nesting exceeded maxDepth/.test(e.reason)) return `nested deeper than the limit of ${MAX_NESTING} levels`;
    return `not valid YAML or JSON: ${e.reason}`;
}
