/**
 * Flows files: a YAML or JSON list of `{from, to, port, protocol?, allowed}`, each item remembered with its line.
 */
import { isSeq } from "yaml";
import { FlowSpec } from "./analysis";
import { Problems } from "./errors";
import { Located, readText } from "./text";
import { Source } from "./types";

/** An expected flow from a flows file. */
export interface ExpectedFlow {
    spec: FlowSpec;
    allowed: boolean;
    source: Source;
}

const FLOW_KEYS = ["from", "to", "port", "protocol", "allowed"];

/**
 * Returns the well-formed items of a flows file; every malformed one is reported to `problems`, so that endpoint
 * typos in the others can be reported in the same run.
 */
export function loadFlows(file: string, problems: Problems): ExpectedFlow[] {
    const text = readText(file, problems.list);
    if (text === undefined) return [];
    const located = new Located(text);
    const { document } = located;
    if (document.errors.length > 0) {
        for (const error of document.errors) problems.at({ file, line: located.lineAt(error.pos[0]) }).add(`not valid YAML or JSON: ${error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
        return [];
    }
    if (!isSeq(document.contents)) {
        problems.at({ file, line: 1 }).add("a flows file must be one list of {from, to, port, protocol?, allowed}");
        return [];
    }
    const flows: ExpectedFlow[] = [];
    document.contents.items.forEach((node, i) => {
        const source = { file, line: located.lineOf([i]) ?? 1 };
        const at = problems.at(source);
        const item = (node as { toJSON?: () => unknown }).toJSON?.() ?? node;
        if (typeof item !== "object" || item === null || Array.isArray(item)) return at.add("must be a mapping of from, to, port, protocol?, allowed", `[${i}]`);
        const record = item as Record<string, unknown>;
        const unknown = Object.keys(record).filter((k) => !FLOW_KEYS.includes(k));
        unknown.forEach((key) => at.add(`unknown field ${JSON.stringify(key)}; a flow has ${FLOW_KEYS.join(", ")}`, `[${i}]`));
        if (typeof record.allowed !== "boolean") return at.add(`allowed must be true or false, got ${JSON.stringify(record.allowed)}`, `[${i}].allowed`);
        if (unknown.length === 0) flows.push({ spec: { from: record.from, to: record.to, port: record.port, protocol: record.protocol }, allowed: record.allowed, source });
    });
    return flows;
}
