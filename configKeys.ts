/**
 * The names of a stack's config keys, before any value: a key nothing reads is ignored by Pulumi without a word, so
 * each one is a problem here. A misspelt namespace (`ekss-netpol-lab:stage`), a project key no spec declares (a typo,
 * or a key that was renamed), each with the likely fix.
 */
import type { RawConfig } from "./config";
import { closestMatch, quote } from "./configRules";

/** Project keys that were renamed, old name to new: a stack that still sets an old one is told how to move its value. */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
    recycleNodesOnCalicoRemoval: "recycleNodesOnEngineRemoval",
};

/**
 * The config namespaces read besides the project's: by the AWS, EKS and Kubernetes providers and by Pulumi itself. A
 * key in any other namespace is read by nothing, which is almost always a misspelt project name.
 */
export const OTHER_NAMESPACES = ["aws", "eks", "kubernetes", "pulumi"] as const;

/** Every problem with the names of the stack's keys, given the project keys that exist (`known`). */
export function keyNameProblems(raw: RawConfig, known: readonly string[]): string[] {
    return [...namespaceProblems(raw), ...unknownKeyProblems(raw, known)];
}

/**
 * A stack key in the project namespace that no spec declares is a renamed key, or almost always a typo: say so, and
 * suggest the key.
 */
function unknownKeyProblems(raw: RawConfig, known: readonly string[]): string[] {
    const prefix = `${raw.project}:`;
    return Object.keys(raw.config)
        .filter((k) => k.startsWith(prefix) && !known.includes(k.slice(prefix.length)))
        .sort()
        .map((k) => {
            const key = k.slice(prefix.length);
            if (Object.hasOwn(RENAMED_KEYS, key)) return renamedProblem(key, RENAMED_KEYS[key], raw.secretKeys.has(k) ? undefined : raw.config[k]);
            const guess = closestMatch(key, known);
            const hint = guess ? `did you mean ${quote(guess)}? ` : "";
            return `${key}: not a setting of ${raw.project}; ${hint}Settings are: ${known.join(", ")}. Remove it with \`npm run pulumi -- config rm ${key}\``;
        });
}

/** Set the new key first, so the value is never only in a terminal's scrollback. A value is shown only if it is plain. */
function renamedProblem(oldKey: string, newKey: string, value: string | undefined): string {
    const shown = value !== undefined && /^[\w.:\/@+=,-]+$/.test(value) ? value : "<value>";
    return `${oldKey}: was renamed to ${newKey}; move its value with \`npm run pulumi -- config set ${newKey} ${shown}\` and \`npm run pulumi -- config rm ${oldKey}\``;
}

/** A key in a namespace nothing reads is ignored without a word: most often a misspelt project name. */
function namespaceProblems(raw: RawConfig): string[] {
    const allowed = [raw.project, ...OTHER_NAMESPACES];
    return Object.keys(raw.config)
        .filter((k) => k.includes(":") && !allowed.includes(k.slice(0, k.indexOf(":"))))
        .sort()
        .map((k) => {
            const namespace = k.slice(0, k.indexOf(":"));
            const guess = closestMatch(namespace, allowed);
            const hint = guess ? `did you mean ${quote(`${guess}${k.slice(namespace.length)}`)}? ` : "";
            return `${k}: nothing reads the namespace ${quote(namespace)}, so this key would be ignored; ${hint}Namespaces read: ${allowed.join(", ")}. Remove it with \`npm run pulumi -- config rm ${k}\``;
        });
}
