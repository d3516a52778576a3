/**
 * Flows files: a YAML or JSON list of `{from, to, port, protocol?, allowed}`, each item remembered with its line and
 * its index in the file. Parsed like manifests (fast, within the same limits), so a file of 100,000 flows loads in
 * well under a second; aliases and merge keys work as in any YAML.
 */
import { Problems } from "./errors";
import { isMapping } from "./lists";
import { parseYaml } from "./parse";
import { readInput, ReadBudget, STDIN_NAME, StdinReader } from "./read";
import { show } from "./show";
import { FlowSpec } from "./analysis";
import { Source } from "./types";

/** An expected flow from a flows file. */
export interface ExpectedFlow {
    spec: FlowSpec;
    allowed: boolean;
    source: Source;
    /** The item's 0-based index in the file's list, as messages name it (`[3].from`). */
    index: number;
}

const FLOW_KEYS = ["from", "to", "port", "protocol", "allowed"];
const SHAPE = "a flows file is one list of {from, to, port, protocol?, allowed}";

/**
 * Returns the well-formed items of a flows file (`-`: standard input); every malformed one is reported to `problems`,
 * so that endpoint typos in the others can be reported in the same run.
 */
export function loadFlows(file: string, problems: Problems, stdin?: StdinReader): ExpectedFlow[] {
    const name = file === "-" ? STDIN_NAME : file;
    const text = readInput(file, new ReadBudget(), problems.list, stdin);
    if (text === undefined) return [];
    const parsed = parseYaml(text);
    if (!parsed.ok) {
        problems.at({ file: name, line: (parsed.line ?? 0) + 1 }).add(parsed.message);
        return [];
    }
    if (!Array.isArray(parsed.value)) {
        problems.at({ file: name, line: 1 }).add(parsed.value === null ? `the file is empty; ${SHAPE}` : SHAPE);
        return [];
    }
    const flows: ExpectedFlow[] = [];
    const itemLines = parsed.itemLines;
    parsed.value.forEach((item: unknown, index) => {
        // The line is found only if a message needs it (by parsing the file again, with positions).
        const source = { file: name, get line() { return (itemLines([])?.[index] ?? 0) + 1; } };
        const flow = expectedFlow(item, index, source, problems.at(source));
        if (flow) flows.push(flow);
    });
    return flows;
}

function expectedFlow(item: unknown, index: number, source: Source, at: Problems): ExpectedFlow | undefined {
    if (!isMapping(item)) {
        at.add(`must be a mapping of from, to, port, protocol?, allowed, got ${show(item)}`, `[${index}]`);
        return undefined;
    }
    const unknown = Object.keys(item).filter((k) => !FLOW_KEYS.includes(k));
    unknown.forEach((key) => at.add(`unknown field ${show(key)}; a flow has ${FLOW_KEYS.join(", ")}`, `[${index}]`));
    if (typeof item.allowed !== "boolean") {
        at.add(`allowed must be true or false, got ${show(item.allowed)}`, `[${index}].allowed`);
        return undefined;
    }
    if (unknown.length > 0) return undefined;
    return { spec: { from: item.from, to: item.to, port: item.port, protocol: item.protocol }, allowed: item.allowed, source, index };
}
