import { show } from "./show";
import { Source } from "./types";

/** One thing wrong with the input: where it is, which field, and what to do about it. */
export interface Problem {
    source?: Source;
    /** The field within the object, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
    path?: string;
    message: string;
}

export function formatProblem(p: Problem): string {
    const where = p.source ? `${p.source.file}:${p.source.line}: ` : "";
    const field = p.path ? `${p.path}: ` : "";
    return `${where}${field}${p.message}`;
}

/** Invalid input (manifests, flows or arguments). Carries every problem found, not just the first. */
export class InputError extends Error {
    constructor(readonly problems: Problem[]) {
        super(problems.map(formatProblem).join("\n"));
        this.name = "InputError";
    }
}

/** Collects problems while compiling, so one run reports them all. */
export class Problems {
    constructor(readonly list: Problem[] = [], private readonly source?: Source) {}

    add(message: string, path?: string): void {
        const s = this.source;
        const line = s && path ? s.locate?.(path) ?? s.line : s?.line;
        this.list.push({ message, path, source: s && { file: s.file, line: line! } });
    }

    /** A view that adds to the same list, pointing every problem at `source`. */
    at(source: Source): Problems {
        return new Problems(this.list, source);
    }

    /** Throws an InputError if anything was added, with the problems in file and line order. */
    throwIfAny(): void {
        if (this.list.length === 0) return;
        const order = (p: Problem) => [p.source?.file ?? "", p.source?.line ?? 0] as const;
        const sorted = [...this.list].sort((a, b) => order(a)[0].localeCompare(order(b)[0]) || order(a)[1] - order(b)[1]);
        throw new InputError(sorted);
    }
}

/**
 * Manifests are user input: a field that should be a list may be anything. These read a field as the shape it must
 * have, reporting anything else (a missing field is simply empty).
 */
export function listAt<T>(value: unknown, path: string, problems: Problems): T[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value as T[];
    problems.add(`must be a list, got ${show(value)}`, path);
    return [];
}

/** A list whose items must be mappings; other items are reported and left out (their indexes are kept). */
export function mappingsAt<T extends object>(value: unknown, path: string, problems: Problems): { item: T; index: number }[] {
    return listAt<unknown>(value, path, problems).flatMap((item, index) => {
        if (typeof item === "object" && item !== null && !Array.isArray(item)) return [{ item: item as T, index }];
        problems.add(`must be a mapping, got ${show(item)}`, `${path}[${index}]`);
        return [];
    });
}

export function mappingAt<T extends object>(value: unknown, path: string, problems: Problems): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "object" && !Array.isArray(value)) return value as T;
    problems.add(`must be a mapping, got ${show(value)}`, path);
    return undefined;
}
