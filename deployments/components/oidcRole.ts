import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument } from "../iamPolicies";

export interface OidcRoleArgs {
    /** The identity provider's URL without the scheme, e.g. "api.pulumi.com/oidc". */
    providerHost: string;
    /** The audiences the provider accepts (its client ids). */
    audiences: string[];
    /**
     * The ARN of the account's IAM OIDC provider for `providerHost`, when one exists: an account has at most one per
     * URL. It must already accept `audiences` (`aws iam add-client-id-to-open-id-connect-provider`).
     * @default - a provider is created
     */
    existingProviderArn?: string;
    roleName: string;
    description: string;
    /** Who may assume the role, given the provider's ARN. */
    trust: (providerArn: string) => PolicyDocument;
    /** What the role may do (an inline policy: it lives and dies with the role). */
    permissions: pulumi.Input<PolicyDocument>;
    /** @default 3600 */
    maxSessionDurationSeconds?: number;
}

/**
 * An IAM role assumed with web identity tokens from one OIDC issuer (Pulumi Deployments, or GitHub Actions): the
 * issuer's IAM OIDC provider (created, or the account's existing one), the role with its trust policy, and its
 * permissions as an inline policy.
 */
export class OidcRole extends pulumi.ComponentResource {
    public readonly providerArn: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: OidcRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab-deployments:aws:OidcRole", name, {}, opts);
        const self = { parent: this };

        // No thumbprint: IAM finds and trusts the issuer's CA itself when none is given.
        this.providerArn = args.existingProviderArn
            ? pulumi.output(args.existingProviderArn)
            : new aws.iam.OpenIdConnectProvider(`${name}-provider`, { url: `https://${args.providerHost}`, clientIdLists: args.audiences }, self).arn;
        const role = new aws.iam.Role(`${name}-role`, {
            name: args.roleName,
            description: args.description,
            assumeRolePolicy: this.providerArn.apply((arn) => JSON.stringify(args.trust(arn))),
            maxSessionDuration: args.maxSessionDurationSeconds ?? 3600,
        }, self);
        new aws.iam.RolePolicy(`${name}-permissions`, { role: role.name, policy: pulumi.output(args.permissions).apply((p) => JSON.stringify(p)) }, self);
        this.roleArn = role.arn;

        this.registerOutputs({ providerArn: this.providerArn, roleArn: this.roleArn });
    }
}
