/**
 * The deployments stack's configuration, read in exactly one place, like the lab's (../config.ts).
 *
 * `loadDeploymentsSettings()` reads the stack's config and the lab stack files it names (`../Pulumi.<stack>.yaml`, for
 * each lab stack's region and cluster name), then `parseDeploymentsSettings` checks every key name, every value and
 * every pair that must agree, and returns one typed object or throws one error listing every problem with its fix.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { partitionOf } from "../awsRules";
import { clusterNameFor } from "../components/cluster";
import { closestMatch, quote } from "../configRules";
import { DeploymentsProjectSettings, DeploymentsSettingSpec, deploymentsSettingSpecs } from "./settingSpecs";

export * from "./settingSpecs";

/** This project's name: the namespace of its config keys. */
export const PROJECT = "eks-netpol-lab-deployments";
/** The lab's project name (../Pulumi.yaml), which its stacks, OIDC subjects and cluster names carry. */
export const LAB_PROJECT = "eks-netpol-lab";
/** The review-stack template, by Pulumi's convention: its Pulumi.pr.yaml is copied into every review stack. */
export const REVIEW_TEMPLATE_STACK = "pr";
/** Namespaces a deployments stack may set keys in: its own, and those of the providers it uses. */
const NAMESPACES = [PROJECT, "aws", "pulumiservice", "pulumi"];
const FIX = "npm run deployments --";

/**
 * Whose cluster a lab stack runs on: one it creates (with its network, roles, key and log group), or an existing one
 * named by its `existingClusterName` (the stack then creates nothing in AWS; it only resizes that cluster's nodes).
 */
export type ClusterSource = "created" | "existing";

/** A lab stack as the deployments need it: where it runs and which EKS cluster it uses. */
export interface LabStack {
    name: string;
    region: string;
    /** `eks-netpol-lab-<stack>`, or the stack's `existingClusterName`. */
    clusterName: string;
    cluster: ClusterSource;
}

export interface DeploymentsSettings extends Omit<DeploymentsProjectSettings, "labStacks"> {
    labStacks: LabStack[];
    /** The review-stack template stack, when review stacks are on. */
    reviewTemplate?: LabStack;
    /** The AWS partition of every lab stack's region. */
    partition: string;
}

export interface RawDeploymentsConfig {
    config: Record<string, string>;
    secretKeys: ReadonlySet<string>;
    /** The text of each lab stack's `Pulumi.<stack>.yaml`, or undefined when there is none. */
    stackFiles: Record<string, string | undefined>;
}

export class DeploymentsSettingsError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(formatProblems(problems));
        this.name = "DeploymentsSettingsError";
    }
}

const REPOSITORY_ROOT = path.resolve(__dirname, "..");

/** Reads the current stack's configuration and the lab stack files it names, and validates them. */
export function loadDeploymentsSettings(): DeploymentsSettings {
    const config = pulumi.runtime.allConfig();
    const runtimeConfig = require("@pulumi/pulumi/runtime/config");
    if (typeof runtimeConfig.isConfigSecret !== "function") throw new Error("@pulumi/pulumi no longer exports runtime/config.isConfigSecret; update deployments/config.ts");
    const secretKeys = new Set(Object.keys(config).filter((k) => runtimeConfig.isConfigSecret(k)));
    return parseDeploymentsSettings({ config, secretKeys, stackFiles: readStackFiles(config) });
}

/** The lab stack files the config could name (its labStacks, and the review template), by stack name. */
function readStackFiles(config: Record<string, string>): Record<string, string | undefined> {
    const listed = deploymentsSettingSpecs.labStacks.parse(config[`${PROJECT}:labStacks`] ?? "[]", "labStacks");
    const names = ["value" in listed ? listed.value : [], deploymentsSettingSpecs.labStacks.default ?? [], [REVIEW_TEMPLATE_STACK]].flat();
    const files: Record<string, string | undefined> = {};
    for (const name of names) {
        const file = path.join(REPOSITORY_ROOT, `Pulumi.${name}.yaml`);
        files[name] = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    }
    return files;
}

/** The keys in declaration order. */
export function deploymentsSettingKeys(): (keyof DeploymentsProjectSettings)[] {
    return Object.keys(deploymentsSettingSpecs) as (keyof DeploymentsProjectSettings)[];
}

/** The pure core of `loadDeploymentsSettings`: raw strings in, settings or one error listing every problem out. */
export function parseDeploymentsSettings(raw: RawDeploymentsConfig): DeploymentsSettings {
    const problems = keyNameProblems(raw.config);
    const values: Partial<Record<keyof DeploymentsProjectSettings, unknown>> = {};
    for (const key of deploymentsSettingKeys()) {
        const spec = deploymentsSettingSpecs[key] as DeploymentsSettingSpec<unknown>;
        const fullKey = `${PROJECT}:${key}`;
        const text = raw.config[fullKey];
        if (raw.secretKeys.has(fullKey)) problems.push(`${key}: is stored as a secret, but it is not one; set it in plain text: \`${FIX} config set ${key} <value>\``);
        else if (text !== undefined) pushParsed(spec.parse(text, key), (v) => (values[key] = v), problems);
        else if (spec.default !== undefined) values[key] = spec.default;
        else problems.push(`${key}: not set, and there is no default (${spec.description.replace(/\.$/, "")}); set it with \`${FIX} config set ${key} ${spec.example}\``);
    }
    const project = values as Partial<DeploymentsProjectSettings>;
    const labStacks = (project.labStacks ?? []).map((name, i) => labStackOf(name, `labStacks[${i}]`, raw.stackFiles, problems));
    let reviewTemplate: LabStack | undefined;
    if (project.reviewStacks) {
        if (project.labStacks?.includes(REVIEW_TEMPLATE_STACK)) problems.push(`labStacks: ${quote(REVIEW_TEMPLATE_STACK)} is the review-stack template with reviewStacks: true, not a lab stack; remove it from labStacks`);
        reviewTemplate = labStackOf(REVIEW_TEMPLATE_STACK, "reviewStacks", raw.stackFiles, problems);
    }
    const stacks = [...labStacks, reviewTemplate].filter((s): s is LabStack => s !== undefined && s.region !== "");
    const partitions = [...new Set(stacks.map((s) => partitionOf(s.region)))];
    if (partitions.length > 1) problems.push(`labStacks: the stacks' regions are in several AWS partitions (${partitions.map(quote).join(", ")}); one deploy role serves one partition, so use one deployments stack per partition`);
    if (problems.length > 0) throw new DeploymentsSettingsError(problems);
    // No problems: every stack was found, with its region.
    return { ...(project as DeploymentsProjectSettings), labStacks: labStacks as LabStack[], reviewTemplate, partition: partitions[0] ?? "aws" };
}

function pushParsed<T>(parsed: { value: T } | { problems: string[] }, set: (v: T) => void, problems: string[]): void {
    if ("problems" in parsed) problems.push(...parsed.problems);
    else set(parsed.value);
}

/** A lab stack's region and cluster, from its stack file; each problem names the key (`labStacks[0]`) and the fix. */
function labStackOf(name: string, key: string, files: Record<string, string | undefined>, problems: string[]): LabStack | undefined {
    const text = files[name];
    const file = `Pulumi.${name}.yaml`;
    if (text === undefined) {
        problems.push(`${key}: ${quote(name)} has no ${file} at the repository root; create the stack (\`npm run pulumi -- stack init ${name}\`, then set aws:region) or remove it`);
        return undefined;
    }
    let config: Record<string, unknown> = {};
    try {
        config = (parseYaml(text) ?? {}).config ?? {};
    } catch (e) {
        problems.push(`${key}: ${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
        return undefined;
    }
    const region = config["aws:region"];
    if (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
        problems.push(`${key}: ${file} sets no AWS region; set it with \`npm run pulumi -- --stack ${name} config set aws:region us-west-2\``);
        return { name, region: "", clusterName: "", cluster: "created" };
    }
    const existing = config[`${LAB_PROJECT}:existingClusterName`];
    if (typeof existing === "string" && existing !== "") return { name, region, clusterName: existing, cluster: "existing" };
    return { name, region, clusterName: clusterNameFor(LAB_PROJECT, name), cluster: "created" };
}

/** Keys nothing reads: another namespace (a misspelt project), or a project key no spec declares. */
function keyNameProblems(config: Record<string, string>): string[] {
    const known: string[] = deploymentsSettingKeys();
    return Object.keys(config)
        .sort()
        .flatMap((k) => {
            const namespace = k.includes(":") ? k.slice(0, k.indexOf(":")) : "";
            if (!NAMESPACES.includes(namespace)) {
                const guess = closestMatch(namespace, NAMESPACES);
                return [`${k}: nothing reads the namespace ${quote(namespace)}, so this key would be ignored; ${guess ? `did you mean ${quote(guess + k.slice(namespace.length))}? ` : ""}Remove it with \`${FIX} config rm ${k}\``];
            }
            const key = k.slice(namespace.length + 1);
            if (namespace !== PROJECT || known.includes(key)) return [];
            const guess = closestMatch(key, known);
            return [`${key}: not a setting of ${PROJECT}; ${guess ? `did you mean ${quote(guess)}? ` : ""}Settings are: ${known.join(", ")}. Remove it with \`${FIX} config rm ${key}\``];
        });
}

function formatProblems(problems: string[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [
        `Invalid deployments stack configuration (${count}):`,
        ...problems.map((p) => `  - ${p}`),
        `Fix each with \`${FIX} config set <key> <value>\` (lists: \`${FIX} config set --path '<key>[0]' <value>\`), then run again.`,
    ].join("\n");
}
