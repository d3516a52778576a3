/**
 * Every key of the deployments project, declared once: its Pulumi.yaml type, description and default (none: the key
 * is required), and the parser that turns the raw config string into a value or every problem with it. config.ts
 * reads and validates a stack with these; tests/deployments/config.test.ts keeps deployments/Pulumi.yaml in step.
 */
import { Parsed, parseBoolean, parseStringList, quote } from "../configRules";

/** The settings a deployments stack sets under its project namespace (`eks-netpol-lab-deployments:<key>`). */
export interface DeploymentsProjectSettings {
    organization: string;
    repository: string;
    githubOwnerId: number;
    githubRepositoryId: number;
    branch: string;
    labStacks: string[];
    labTtlHours: number;
    driftCron: string;
    previewPullRequests: boolean;
    reviewStacks: boolean;
    githubEnvironment: string;
    pulumiOidcProviderArn: string;
    githubOidcProviderArn: string;
}

export interface DeploymentsSettingSpec<T> {
    type: "string" | "integer" | "boolean" | "array";
    items?: "string";
    description: string;
    /** Absent for a required key: Pulumi then refuses to run without it, and so does config.ts. */
    default?: T;
    /** What to set a required key to, in the error that says it is missing. */
    example?: string;
    parse(raw: string, key: string): Parsed<T>;
}

/** A Pulumi organization name as the OIDC audience carries it: lowercase, so a capital would never match. */
function parseOrganization(raw: string, key: string): Parsed<string> {
    if (/^[a-z0-9][a-z0-9._-]{0,39}$/.test(raw)) return { value: raw };
    const lower = raw.toLowerCase();
    const hint = /^[a-z0-9][a-z0-9._-]{0,39}$/.test(lower) ? `; did you mean ${quote(lower)}? Deployments OIDC tokens carry it in lowercase` : "";
    return { problems: [`${key}: ${quote(raw)} is not a Pulumi organization name (lowercase letters, digits, ".", "_" and "-")${hint}`] };
}

/** owner/name of a GitHub repository, as GitHub spells it: IAM compares the OIDC subject case-sensitively. */
function parseRepository(raw: string, key: string): Parsed<string> {
    if (/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/.test(raw)) return { value: raw };
    const url = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?\/?$/.exec(raw);
    const hint = url ? `; did you mean ${quote(url[1])}?` : "";
    return { problems: [`${key}: ${quote(raw)} is not a GitHub repository; use owner/name, e.g. "octo-org/eks-netpol-lab"${hint}`] };
}

/** The numeric id GitHub gives an owner or a repository (`gh api repos/OWNER/REPO --jq '.owner.id, .id'`). */
function parseGithubId(raw: string, key: string): Parsed<number> {
    if (/^[1-9]\d{0,14}$/.test(raw)) return { value: Number(raw) };
    return { problems: [`${key}: ${quote(raw)} is not a GitHub id; it is a whole number: \`gh api repos/OWNER/REPO --jq '.owner.id, .id'\` prints the owner's and the repository's`] };
}

/** A git branch name: what Deployments checks out and what the GitHub Actions role trusts. */
function parseBranch(raw: string, key: string): Parsed<string> {
    if (/^(?!refs\/)(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/.test(raw)) return { value: raw };
    const bare = raw.replace(/^refs\/heads\//, "");
    return { problems: [`${key}: ${quote(raw)} is not a branch name${bare !== raw ? `; give the name alone: ${quote(bare)}` : ', e.g. "main"'}`] };
}

/** Pulumi stack names: letters, digits, "-", "_" and "."; no colon, so a stack name can end an OIDC subject pattern. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function parseStacks(raw: string, key: string): Parsed<string[]> {
    const list = parseStringList(raw, key);
    if ("problems" in list) return list;
    const problems = list.value.flatMap((s, i) => (STACK_NAME.test(s) ? [] : [`${key}[${i}]: ${quote(s)} is not a stack name (letters, digits, "-", "_" and "."); name the stack alone, not org/project/stack`]));
    return problems.length > 0 ? { problems } : list;
}

/** How long a lab may live; a week at most, so a forgotten one is never more than a week's bill. */
export const MAX_TTL_HOURS = 168;

function parseTtlHours(raw: string, key: string): Parsed<number> {
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (value >= 1 && value <= MAX_TTL_HOURS) return { value };
    return { problems: [`${key}: ${quote(raw)} is not a whole number of hours from 1 to ${MAX_TTL_HOURS}`] };
}

/** A five-field cron expression (minute hour day-of-month month day-of-week), as Pulumi Cloud schedules take. */
function parseCron(raw: string, key: string): Parsed<string> {
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 5 && fields.every((f) => /^[\d*,/-]+$/.test(f))) return { value: fields.join(" ") };
    return { problems: [`${key}: ${quote(raw)} is not a five-field cron expression (minute hour day month weekday), e.g. "0 6 * * *" for 06:00 UTC daily`] };
}

function parseEnvironmentName(raw: string, key: string): Parsed<string> {
    if (raw === "" || /^[A-Za-z0-9 ._-]{1,255}$/.test(raw)) return { value: raw };
    return { problems: [`${key}: ${quote(raw)} is not a GitHub environment name; leave it empty for none`] };
}

/** Empty (create the provider), or the ARN of the account's existing IAM OIDC provider for `host`. */
function oidcProviderArnParser(host: string): (raw: string, key: string) => Parsed<string> {
    const escaped = host.replace(/[.]/g, "\\.");
    const pattern = new RegExp(`^arn:aws[a-z-]*:iam::\\d{12}:oidc-provider/${escaped}$`);
    return (raw, key) => {
        if (raw === "" || pattern.test(raw)) return { value: raw };
        return { problems: [`${key}: ${quote(raw)} is not the ARN of an IAM OIDC provider for ${host}; it looks like "arn:aws:iam::123456789012:oidc-provider/${host}" (\`aws iam list-open-id-connect-providers\`), or leave it empty to create one`] };
    };
}

export const deploymentsSettingSpecs: { [K in keyof DeploymentsProjectSettings]: DeploymentsSettingSpec<DeploymentsProjectSettings[K]> } = {
    organization: {
        type: "string",
        description: "Pulumi Cloud organization that owns the lab's stacks, in lowercase: the audience of Deployments OIDC tokens.",
        example: "<your-org>",
        parse: parseOrganization,
    },
    repository: {
        type: "string",
        description: "GitHub repository of the lab, owner/name, spelt as GitHub spells it.",
        example: "<owner>/<name>",
        parse: parseRepository,
    },
    githubOwnerId: {
        type: "integer",
        description: "Numeric id of the repository's owner on GitHub, for OIDC subjects in the immutable form.",
        example: "<id>",
        parse: parseGithubId,
    },
    githubRepositoryId: {
        type: "integer",
        description: "Numeric id of the repository on GitHub, for OIDC subjects in the immutable form.",
        example: "<id>",
        parse: parseGithubId,
    },
    branch: {
        type: "string",
        description: "Branch Deployments checks out and deploys, and the only one GitHub Actions may assume its role from.",
        default: "main",
        parse: parseBranch,
    },
    labStacks: {
        type: "array",
        items: "string",
        description: "Lab stacks to set up Deployments for; each needs a Pulumi.<stack>.yaml at the repository root.",
        default: ["dev"],
        parse: parseStacks,
    },
    labTtlHours: {
        type: "integer",
        description: "Hours after its TTL is set that a lab stack is destroyed (1 to 168).",
        default: 8,
        parse: parseTtlHours,
    },
    driftCron: {
        type: "string",
        description: "When drift detection runs (cron, UTC); drift is reported, never remediated.",
        default: "0 6 * * *",
        parse: parseCron,
    },
    previewPullRequests: {
        type: "boolean",
        description: "Let the Deployments GitHub app run pulumi preview on pull requests, with the deploy role's AWS access.",
        default: false,
        parse: parseBoolean,
    },
    reviewStacks: {
        type: "boolean",
        description: "Create a review stack (its own cluster, about 15 minutes and $0.24/h) for each pull request, from the template stack pr.",
        default: false,
        parse: parseBoolean,
    },
    githubEnvironment: {
        type: "string",
        description: "GitHub environment whose jobs may also assume the GitHub Actions role (empty: none); give it deployment branch rules, or jobs of any branch may.",
        default: "",
        parse: parseEnvironmentName,
    },
    pulumiOidcProviderArn: {
        type: "string",
        description: "ARN of the account's existing IAM OIDC provider for api.pulumi.com/oidc (empty: create one).",
        default: "",
        parse: oidcProviderArnParser("api.pulumi.com/oidc"),
    },
    githubOidcProviderArn: {
        type: "string",
        description: "ARN of the account's existing IAM OIDC provider for token.actions.githubusercontent.com (empty: create one).",
        default: "",
        parse: oidcProviderArnParser("token.actions.githubusercontent.com"),
    },
};
