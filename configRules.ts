/**
 * The rules behind each setting in config.ts: pure functions from a raw config string to a value or a list of
 * problems. Every problem names the key, quotes the bad value, says what is allowed, and offers a fix where one can
 * be guessed ("did you mean ...").
 */
import { closeMatches } from "./policies/netpol/suggest";

/** A parsed value, or every problem found with it. */
export type Parsed<T> = { value: T } | { problems: string[] };

export function quote(value: string): string {
    return JSON.stringify(value);
}

/** The candidate nearest to `word` by edit distance, if it is close enough to be a plausible typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
    return closeMatches(word, candidates, 1)[0];
}

/** A value from a closed set, with the set and a "did you mean" when it is not one of them. */
export function parseChoice<T extends string>(allowed: readonly T[]): (raw: string, key: string) => Parsed<T> {
    return (raw, key) => (allowed.includes(raw as T) ? { value: raw as T } : { problems: [`${key}: ${quote(raw)} ${notOneOf(raw, allowed)}`] });
}

function notOneOf(raw: string, allowed: readonly string[]): string {
    const guess = closestMatch(raw, allowed);
    return `is not one of ${allowed.map(quote).join(", ")}${guess ? `; did you mean ${quote(guess)}?` : ""}`;
}

export function parseBoolean(raw: string, key: string): Parsed<boolean> {
    if (raw === "true" || raw === "false") return { value: raw === "true" };
    return { problems: [`${key}: ${quote(raw)} is not a boolean; use true or false`] };
}

/** A list whose every item comes from a closed set. */
export function parseChoices<T extends string>(allowed: readonly T[]): (raw: string, key: string) => Parsed<T[]> {
    return (raw, key) => {
        const list = parseStringList(raw, key, { allowEmpty: true });
        if ("problems" in list) return list;
        const problems = list.value.flatMap((item, i) => (allowed.includes(item as T) ? [] : [`${key}[${i}]: ${quote(item)} ${notOneOf(item, allowed)}`]));
        return problems.length > 0 ? { problems } : { value: list.value as T[] };
    };
}

// ---- kubernetesVersion ------------------------------------------------------------------------------------------

export interface EksKubernetesVersion {
    /** "1.<minor>", as EKS takes it. */
    version: string;
    /** When EKS standard support ends (then EKS upgrades a cluster on the STANDARD policy). Informational only. */
    endOfStandardSupport: string;
}

/**
 * The EKS Kubernetes versions this project knows, oldest first: the only values kubernetesVersion may take. The cluster
 * is on standard support only (upgradePolicy STANDARD): when a version's standard support ends, EKS upgrades the
 * cluster to the next version, so the list holds the versions still in standard support when it was last updated
 * (2026-12-02; 1.34's ended that day). Validation never looks at today's date. When EKS releases a version, add it
 * here; when one leaves standard support, remove it (stacks on it then say so, and must move on, as EKS did).
 */
export const EKS_KUBERNETES_VERSIONS: readonly EksKubernetesVersion[] = [
    { version: "1.35", endOfStandardSupport: "2027-03-27" },
    { version: "1.36", endOfStandardSupport: "2027-08" }, // an estimate (about 14 months after release); no date published yet
];

/** A kubernetesVersion parser that accepts exactly the versions in `known` (oldest first). Exported for testing. */
export function kubernetesVersionParser(known: readonly EksKubernetesVersion[]): (raw: string, key: string) => Parsed<string> {
    const versions = known.map((v) => v.version);
    return (raw, key) => (versions.includes(raw) ? { value: raw } : { problems: [`${key}: ${quote(raw)} ${kubernetesVersionProblem(raw, versions)}`] });
}

export const parseKubernetesVersion = kubernetesVersionParser(EKS_KUBERNETES_VERSIONS);

const ADD_VERSION = "add it to EKS_KUBERNETES_VERSIONS in configRules.ts";

/** Why `raw`, which is not one of `versions`, is wrong, and the likely intended value. */
function kubernetesVersionProblem(raw: string, versions: string[]): string {
    const list = versions.map(quote).join(", ");
    const form = /^v?1\.(\d+)(\.\d+)*$/.exec(raw);
    const canonical = form && `1.${Number(form[1])}`;
    if (canonical !== raw) {
        // "v1.35", "1.35.2", "1.035": the minor version is there, in a form EKS does not take.
        const hint = canonical && versions.includes(canonical) ? `did you mean ${quote(canonical)}?` : `use one of ${list}`;
        return `is not a Kubernetes minor version; EKS takes "1.<minor>", ${hint}`;
    }
    const minor = Number(form![1]);
    const minors = versions.map((v) => Number(v.split(".")[1]));
    // An unquoted 1.40 in YAML is the number 1.4: the trailing zero is lost before we ever see it.
    const meant = `1.${minor}0`;
    const lostZero = `did you mean ${quote(meant)}? Quote it in YAML, or ${meant} is read as the number ${raw}`;
    if (minor < 10 && versions.includes(meant)) return `is not an EKS version this project knows; ${lostZero}`;
    if (minor < 10 && minor * 10 > Math.max(...minors)) {
        return `is not an EKS version this project knows (${list}); ${lostZero}. If EKS has released ${meant} since, ${ADD_VERSION}`;
    }
    if (minor < Math.min(...minors)) return `is older than EKS supports; use one of ${list}`;
    if (minor > Math.max(...minors)) return `is not an EKS version this project knows (${list}); if EKS has released it since, ${ADD_VERSION}`;
    return `is not an EKS version this project knows; use one of ${list}`;
}

// ---- lists ------------------------------------------------------------------------------------------------------

/**
 * Lists arrive as JSON text (Pulumi serialises a YAML list in the stack file that way). A bare string almost always
 * means `pulumi config set key value` was used where `--path 'key[0]'` was meant.
 */
export function parseStringList(raw: string, key: string, options: { allowEmpty?: boolean } = {}): Parsed<string[]> {
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        value = undefined;
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
        return {
            problems: [
                `${key}: ${quote(raw)} is not a list of strings; set it as a YAML list in Pulumi.<stack>.yaml ` +
                    `or with \`npm run pulumi -- config set --path '${key}[0]' <value>\``,
            ],
        };
    }
    if (value.length === 0 && !options.allowEmpty) return { problems: [`${key}: [] is empty; list at least one value`] };
    const duplicates = value.filter((item, i) => value.indexOf(item) !== i);
    if (duplicates.length > 0) {
        return { problems: [...new Set(duplicates)].map((d) => `${key}: ${quote(d)} is listed twice; list each value once`) };
    }
    return { value };
}

/** Parses a list, then every item; problems name the item's index, e.g. `nodeInstanceTypes[1]`. */
export function parseListOf(
    raw: string,
    key: string,
    item: (value: string, path: string) => string | undefined,
    options: { allowEmpty?: boolean; maxItems?: { count: number; why: string } } = {},
): Parsed<string[]> {
    const list = parseStringList(raw, key, options);
    if ("problems" in list) return list;
    const { maxItems } = options;
    const problems = maxItems && list.value.length > maxItems.count ? [`${key}: ${list.value.length} items is more than ${maxItems.count}, ${maxItems.why}`] : [];
    problems.push(...list.value.flatMap((v, i) => item(v, `${key}[${i}]`) ?? []));
    return problems.length > 0 ? { problems } : list;
}

// ---- calicoVersion ----------------------------------------------------------------------------------------------

/** Whisker (the flow-log UI) and Goldmane arrived in Calico 3.30; older releases also hang on uninstall (calico#8695). */
export const OLDEST_CALICO_MINOR = 30;

export function parseCalicoVersion(raw: string, key: string): Parsed<string> {
    const match = /^v3\.(\d+)\.(\d+)$/.exec(raw);
    if (!match) {
        const bare = /^3\.\d+\.\d+$/.test(raw) ? `; did you mean ${quote(`v${raw}`)}?` : "";
        return { problems: [`${key}: ${quote(raw)} is not a Calico release; use a tigera-operator chart version such as "v3.31.7"${bare}`] };
    }
    if (Number(match[1]) < OLDEST_CALICO_MINOR) return { problems: [`${key}: ${quote(raw)} is older than v3.${OLDEST_CALICO_MINOR}.0, the oldest release this project installs`] };
    return { value: raw };
}

// ---- nodeRecycleTimeoutMinutes, existingClusterName -------------------------------------------------------------

export function parseTimeoutMinutes(raw: string, key: string): Parsed<number> {
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (value >= 1 && value <= 120) return { value };
    return { problems: [`${key}: ${quote(raw)} is not a whole number of minutes from 1 to 120`] };
}

/** Empty, or an EKS cluster name: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit. */
export function parseClusterName(raw: string, key: string): Parsed<string> {
    if (raw === "" || /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(raw)) return { value: raw };
    return { problems: [`${key}: ${quote(raw)} is not an EKS cluster name (letters, digits, hyphens and underscores, up to 100); leave it empty to create a cluster`] };
}
