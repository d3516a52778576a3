/**
 * Finding the line of a field: a YAML text parsed again with node positions, by the `yaml` library. It is loaded only
 * when a message needs a line, so that commands on valid input never pay for it.
 */
import type { Document, LineCounter } from "yaml";

/** "spec.ingress[0].from" -> ["spec", "ingress", 0, "from"] */
export function splitPath(path: string): (string | number)[] {
    return path.split(/\.|(?=\[)/).filter(Boolean).map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

/** A YAML text parsed with node positions, able to tell the line of any field. */
export class Located {
    readonly document: Document;
    private readonly lineCounter: LineCounter;

    constructor(text: string) {
        const yaml: typeof import("yaml") = require("yaml");
        this.lineCounter = new yaml.LineCounter();
        this.document = yaml.parseDocument(text, { lineCounter: this.lineCounter, merge: true });
    }

    /** The 1-based line of the deepest node along `path` that the document has. */
    lineOf(path: (string | number)[]): number | undefined {
        for (let n = path.length; n >= 0; n--) {
            const node = this.document.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
            if (node?.range) return this.lineCounter.linePos(node.range[0]).line;
        }
        return undefined;
    }
}
