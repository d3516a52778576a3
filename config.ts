/**
 * Stack configuration, read in exactly one place.
 *
 * Every project key is declared once, in `settingSpecs` below: its Pulumi.yaml type, description, default and
 * parser. `loadSettings()` reads the stack's config once, checks every key (and every pair of keys that must agree),
 * and either returns one typed `Settings` object or throws one `SettingsError` that lists every problem, so nothing is
 * registered with a half-valid configuration.
 *
 * To add a key: add it to `ProjectSettings`, give it a spec in `settingSpecs` (the compiler insists), then declare it
 * in Pulumi.yaml and the README's config table (tests/config-docs.test.ts fails until both match the spec). To rename
 * one, also add old -> new to `RENAMED_KEYS`, so stacks that still set the old key are told how to move it.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    checkArnPartitions,
    checkNodeGroup,
    closestMatch,
    Parsed,
    parseBoolean,
    parseCalicoVersion,
    parseClusterName,
    parseChoice,
    parseChoices,
    parseClusterAdminArns,
    parseClusterEndpointPublicAccessCidrs,
    parseInstanceTypes,
    parseKubernetesVersion,
    parseNodeCount,
    parseTimeoutMinutes,
    quote,
} from "./configRules";
import { STARS_STAGES, StarsStage } from "./policies/stars";

/** The demos this program can deploy. */
export const DEMOS = ["stars", "namespaces"] as const;
export type Demo = (typeof DEMOS)[number];

/**
 * What enforces NetworkPolicy: Calico in policy-only mode, the VPC CNI's own network policy agent, or nothing. Never
 * two at once: "none" is the step between them when switching, so one is gone before the other starts.
 */
export const POLICY_ENGINES = ["calico", "vpc-cni", "none"] as const;
export type PolicyEngine = (typeof POLICY_ENGINES)[number];

/** The settings a stack can set under the project namespace (`eks-netpol-lab:<key>`). */
export interface ProjectSettings {
    kubernetesVersion: string;
    nodeInstanceTypes: string[];
    nodeDesired: number;
    nodeMin: number;
    nodeMax: number;
    clusterEndpointPublicAccessCidrs: string[];
    clusterAdminArns: string[];
    policyEngine: PolicyEngine;
    calicoVersion: string;
    demos: Demo[];
    stage: StarsStage;
    isolateNamespaces: boolean;
    recycleNodesOnEngineRemoval: boolean;
    nodeRecycleTimeoutMinutes: number;
    existingClusterName: string;
}

/** Everything the program needs to know about the stack, validated. */
export interface Settings extends ProjectSettings {
    /** The AWS region every resource lives in (`aws:region`, else AWS_REGION / AWS_DEFAULT_REGION, as the AWS provider reads it). */
    region: string;
    /**
     * The AWS profile the stack names (`aws:profile`), which the AWS provider uses; absent when the stack names none.
     * For whatever else calls AWS (the kubeconfig, dynamic providers) to use the same credentials.
     */
    awsProfile?: string;
}

/** How one project key is declared in Pulumi.yaml and parsed from its raw config string. */
export interface SettingSpec<T> {
    /** The Pulumi.yaml schema type. */
    type: "string" | "integer" | "boolean" | "array";
    /** For arrays: the Pulumi.yaml schema type of the items. */
    items?: "string";
    description: string;
    default: T;
    /** Set for keys that only mean something when this program creates the cluster (not with existingClusterName). */
    createdClusterOnly?: true;
    /** Turns the raw config string into a value, or explains every way it is wrong. */
    parse(raw: string, key: string): Parsed<T>;
}

export const settingSpecs: { [K in keyof ProjectSettings]: SettingSpec<ProjectSettings[K]> } = {
    kubernetesVersion: {
        type: "string",
        description: "Kubernetes minor version of the EKS control plane, e.g. \"1.35\". Pick one in EKS standard support.",
        default: "1.35",
        parse: parseKubernetesVersion,
        createdClusterOnly: true,
    },
    nodeInstanceTypes: {
        type: "array",
        items: "string",
        description: "EC2 instance types for the managed node group; all must share one CPU architecture.",
        default: ["t3.medium"],
        parse: parseInstanceTypes,
        createdClusterOnly: true,
    },
    nodeDesired: {
        type: "integer",
        description: "Number of nodes the node group runs; needs nodeMin <= nodeDesired <= nodeMax.",
        default: 2,
        parse: parseNodeCount,
        createdClusterOnly: true,
    },
    nodeMin: {
        type: "integer",
        description: "Smallest size of the node group (0 or more).",
        default: 1,
        parse: parseNodeCount,
        createdClusterOnly: true,
    },
    nodeMax: {
        type: "integer",
        description: "Largest size of the node group (1 or more).",
        default: 3,
        parse: parseNodeCount,
        createdClusterOnly: true,
    },
    clusterEndpointPublicAccessCidrs: {
        type: "array",
        items: "string",
        description: "IPv4 CIDRs allowed to reach the public Kubernetes API endpoint. Narrow it to your own addresses.",
        default: ["0.0.0.0/0"],
        parse: parseClusterEndpointPublicAccessCidrs,
        createdClusterOnly: true,
    },
    clusterAdminArns: {
        type: "array",
        items: "string",
        description: "IAM role or user ARNs given cluster-admin access (EKS access entries), e.g. a CI or Pulumi Deployments role; the identity that creates the cluster already has it.",
        default: [],
        parse: parseClusterAdminArns,
        createdClusterOnly: true,
    },
    policyEngine: {
        type: "string",
        description: "What enforces NetworkPolicy: calico (Calico in policy-only mode), vpc-cni (the VPC CNI's own agent), or none (nothing: the step between the two when switching engines).",
        default: "calico",
        parse: parseChoice(POLICY_ENGINES),
    },
    calicoVersion: {
        type: "string",
        description: "Version of the tigera-operator Helm chart, i.e. the Calico release, installed when policyEngine is calico.",
        default: "v3.31.7",
        parse: parseCalicoVersion,
    },
    demos: {
        type: "array",
        items: "string",
        description: "Demos to deploy: stars (Calico's Stars demo) and namespaces (three namespaces with a web server each).",
        default: ["stars", "namespaces"],
        parse: parseChoices(DEMOS),
    },
    stage: {
        type: "string",
        description: "Network-policy stage of the Stars demo: open, deny-all, allow-ui, allow-backend or final.",
        default: "open",
        parse: parseChoice(STARS_STAGES),
    },
    isolateNamespaces: {
        type: "boolean",
        description: "In the namespaces demo, let each namespace accept traffic only from its own pods.",
        default: false,
        parse: parseBoolean,
    },
    recycleNodesOnEngineRemoval: {
        type: "boolean",
        description: "When the policy engine (Calico or the VPC CNI's agent) is removed from a cluster that stays, replace its nodes (both leave rules on nodes that can drop new pods' traffic).",
        default: true,
        parse: parseBoolean,
    },
    nodeRecycleTimeoutMinutes: {
        type: "integer",
        description: "The longest each wait of a node recycle may take (old nodes gone, new nodes in service), in minutes.",
        default: 20,
        parse: parseTimeoutMinutes,
    },
    existingClusterName: {
        type: "string",
        description: "Name of an existing EKS cluster to use instead of creating one (empty: create a VPC, cluster and node group).",
        default: "",
        parse: parseClusterName,
    },
};

/** Project keys that were renamed, old name to new: a stack that still sets an old one is told how to move its value. */
export const RENAMED_KEYS: Readonly<Record<string, keyof ProjectSettings>> = {
    recycleNodesOnCalicoRemoval: "recycleNodesOnEngineRemoval",
};

/**
 * The config namespaces read besides the project's: by the AWS, EKS and Kubernetes providers and by Pulumi itself. A
 * key in any other namespace is read by nothing, which is almost always a misspelt project name.
 */
export const OTHER_NAMESPACES = ["aws", "eks", "kubernetes", "pulumi"] as const;

/** Stack configuration as the Pulumi runtime hands it over: every key is `namespace:key`, every value a string. */
export interface RawConfig {
    /** The project name, i.e. the namespace of project keys. */
    project: string;
    config: Record<string, string>;
    /** The keys (`namespace:key`) whose values the stack stores as secrets. */
    secretKeys: ReadonlySet<string>;
    /** The environment variables the AWS provider falls back to for its region. */
    env: { AWS_REGION?: string; AWS_DEFAULT_REGION?: string };
}

/** Thrown when the stack configuration is invalid. A RunError, so Pulumi prints the message without a stack trace. */
export class SettingsError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(formatProblems(problems));
        this.name = "SettingsError";
    }
}

/** Reads the current stack's configuration once and validates it. Throws `SettingsError` listing every problem. */
export function loadSettings(): Settings {
    const config = pulumi.runtime.allConfig();
    return parseSettings({
        project: pulumi.getProject(),
        config,
        secretKeys: secretConfigKeys(Object.keys(config)),
        env: { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION },
    });
}

/**
 * Which of `keys` the stack stores as secrets. The SDK's `isConfigSecret` is not in its public typings, so reach for
 * it explicitly and fail loudly if it ever disappears.
 */
function secretConfigKeys(keys: string[]): Set<string> {
    const runtimeConfig = require("@pulumi/pulumi/runtime/config");
    if (typeof runtimeConfig.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime/config.isConfigSecret; update config.ts");
    }
    return new Set(keys.filter((key) => runtimeConfig.isConfigSecret(key)));
}

/** The pure core of `loadSettings`: raw strings in, `Settings` or one `SettingsError` out. */
export function parseSettings(raw: RawConfig): Settings {
    const problems: string[] = [...namespaceProblems(raw), ...unknownKeyProblems(raw)];
    const existingCluster = existingClusterNameOf(raw);
    const values: Partial<Record<keyof ProjectSettings, unknown>> = {};
    for (const key of settingKeys()) {
        const parsed = parseKey(raw, key, existingCluster);
        if ("problems" in parsed) problems.push(...parsed.problems);
        else values[key] = parsed.value;
    }
    const region = parseRegion(raw);
    if ("problems" in region) problems.push(...region.problems);

    // Keys that must agree are checked only once each of them parsed, so one typo is reported once.
    const project = values as Partial<ProjectSettings>;
    problems.push(...checkNodeGroup(project), ...checkDemoSettings(project));
    if (project.clusterAdminArns && "value" in region) problems.push(...checkArnPartitions(project.clusterAdminArns, region.value, "clusterAdminArns"));

    if (problems.length > 0 || "problems" in region) throw new SettingsError(problems);
    const awsProfile = raw.config["aws:profile"];
    return { ...(project as ProjectSettings), region: region.value, ...(awsProfile ? { awsProfile } : {}) };
}

/** One project key's value: its default when unset, else parsed, unless it is stored as a secret or would be ignored. */
function parseKey(raw: RawConfig, key: keyof ProjectSettings, existingCluster: string | undefined): Parsed<unknown> {
    const spec: SettingSpec<unknown> = settingSpecs[key];
    const fullKey = `${raw.project}:${key}`;
    const text = raw.config[fullKey];
    // A secret says "this value is sensitive", which none of ours is; and `plan` could not even read it.
    if (raw.secretKeys.has(fullKey)) return { problems: [secretProblem(key, spec)] };
    if (text === undefined) return { value: spec.default };
    if (spec.createdClusterOnly && existingCluster !== undefined) {
        return { problems: [`${key}: only applies to a cluster this program creates, so it would be ignored for the existing cluster ${quote(existingCluster)}; remove it with \`npm run pulumi -- config rm ${key}\``] };
    }
    return spec.parse(text, key);
}

function secretProblem(key: string, spec: SettingSpec<unknown>): string {
    const fix = spec.type === "array"
        ? `\`npm run pulumi -- config rm ${key}\`, then \`npm run pulumi -- config set --path '${key}[0]' <value>\` for each item`
        : `\`npm run pulumi -- config set ${key} <value>\``;
    return `${key}: is stored as a secret, but it is not one; set it in plain text: ${fix}`;
}

/** The existing cluster's name if the stack sets a valid, non-empty one (an invalid one is reported by its parser). */
function existingClusterNameOf(raw: RawConfig): string | undefined {
    const text = raw.config[`${raw.project}:existingClusterName`];
    if (text === undefined) return undefined;
    const parsed = settingSpecs.existingClusterName.parse(text, "existingClusterName");
    return "value" in parsed && parsed.value !== "" ? parsed.value : undefined;
}

/** Settings that only mean something for a demo that is deployed, and with a policy engine to enforce them. Exported for testing. */
export function checkDemoSettings(s: Partial<ProjectSettings>): string[] {
    const problems: string[] = [];
    const noEngine = s.policyEngine === "none";
    if (s.stage !== undefined && s.stage !== "open") {
        if (s.demos && !s.demos.includes("stars")) {
            problems.push(`stage: ${quote(s.stage)} applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"`);
        } else if (noEngine) {
            // The policies would be created, and `plan` would show them enforced, with nothing enforcing them.
            problems.push(`stage: ${quote(s.stage)} needs a policy engine, but policyEngine is "none"; set stage to "open" (\`npm run pulumi -- config set stage open\`) or choose calico or vpc-cni`);
        }
    }
    if (s.isolateNamespaces) {
        if (s.demos && !s.demos.includes("namespaces")) {
            problems.push('isolateNamespaces: true applies to the namespaces demo, which demos does not include; add "namespaces" to demos or set it to false');
        } else if (noEngine) {
            problems.push('isolateNamespaces: true needs a policy engine, but policyEngine is "none"; set it to false (`npm run pulumi -- config set isolateNamespaces false`) or choose calico or vpc-cni');
        }
    }
    return problems;
}

/** The project keys in declaration order. */
export function settingKeys(): (keyof ProjectSettings)[] {
    return Object.keys(settingSpecs) as (keyof ProjectSettings)[];
}

/**
 * A stack key in the project namespace that no spec declares is a renamed key, or almost always a typo: say so, and
 * suggest the key.
 */
function unknownKeyProblems(raw: RawConfig): string[] {
    const prefix = `${raw.project}:`;
    const known = settingKeys() as string[];
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

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function parseRegion(raw: RawConfig): Parsed<string> {
    const region = raw.config["aws:region"] ?? raw.env.AWS_REGION ?? raw.env.AWS_DEFAULT_REGION;
    if (region === undefined || region === "") {
        return { problems: ["aws:region: not set; choose the AWS region to deploy to, e.g. `npm run pulumi -- config set aws:region us-west-2`"] };
    }
    if (!REGION_PATTERN.test(region)) {
        return { problems: [`aws:region: ${quote(region)} is not an AWS region name; use the form "us-west-2"`] };
    }
    return { value: region };
}

function formatProblems(problems: string[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [
        `Invalid stack configuration (${count}):`,
        ...problems.map((p) => `  - ${p}`),
        "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.",
    ].join("\n");
}
