/**
 * List objects unwrapped into their items, as Kubernetes' own decoding and kubectl read them.
 *
 * - `kind: List` (what `kubectl get -o yaml` prints) holds whole objects: every item needs its own kind.
 * - A typed list (`PodList`, `NamespaceList`: what the API server returns, and `kubectl get --raw` prints) holds
 *   items without kind or apiVersion: they are the list's kind without "List", in the list's apiVersion. An item that
 *   names another kind or version is malformed.
 * - Lists nest (kubectl flattens a List of Lists), so items are unwrapped again.
 */
import { Problems } from "./errors";
import { show, showName } from "./show";
import { KubeObject } from "./types";

/** An object found in a document, with its path from the document's root (`["items", 3]`). */
export interface Found {
    object: KubeObject;
    path: (string | number)[];
}

export function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Is `object` a list to unwrap? `List`, or a `...List` kind with `items` (a kind merely ending in "List" has none). */
export function isList(object: KubeObject): boolean {
    return object.kind === "List" || (typeof object.kind === "string" && object.kind.endsWith("List") && object.items !== undefined);
}

/** The objects of a document: itself, or (for a list) its items, each with its path; problems go to `problems(path)`. */
export function unwrapLists(document: KubeObject, problems: (path: (string | number)[]) => Problems): Found[] {
    const found: Found[] = [];
    const visit = (object: KubeObject, path: (string | number)[]) => {
        if (!isList(object)) {
            found.push({ object, path });
            return;
        }
        const listKind = object.kind!;
        if (!Array.isArray(object.items)) {
            problems(path).add(`must be a list of objects, got ${show(object.items)}`, "items");
            return;
        }
        object.items.forEach((item, i) => {
            const itemPath = [...path, "items", i];
            if (!isMapping(item)) return problems(path).add(`must be a mapping (a Kubernetes object), got ${show(item)}`, `items[${i}]`);
            const typed = listKind === "List" ? item : typedItem(item, object, problems(itemPath));
            if (typed === undefined) return;
            if (typeof typed.kind !== "string") return problems(itemPath).add("a List item needs its kind (and apiVersion); only typed lists such as PodList leave them out", "kind");
            visit(typed, itemPath);
        });
    };
    visit(document, []);
    return found;
}

/** An item of a typed list, with kind and apiVersion from the list; undefined (and a problem) if it names others. */
function typedItem(item: Record<string, unknown>, list: KubeObject, problems: Problems): KubeObject | undefined {
    const kind = list.kind!.slice(0, -"List".length);
    if (item.kind !== undefined && item.kind !== kind) {
        problems.add(`a ${showName(list.kind!)} holds ${showName(kind)} objects, not ${show(item.kind)}`, "kind");
        return undefined;
    }
    if (item.apiVersion !== undefined && list.apiVersion !== undefined && item.apiVersion !== list.apiVersion) {
        problems.add(`a ${showName(list.kind!)} in ${show(list.apiVersion)} holds objects of that version, not ${show(item.apiVersion)}`, "apiVersion");
        return undefined;
    }
    return { ...item, kind, apiVersion: item.apiVersion ?? list.apiVersion } as KubeObject;
}
