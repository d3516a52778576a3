/**
 * What marks the AWS resources and roles of a lab this program creates, so that an IAM policy can be scoped to them:
 * the Pulumi Deployments role (deployments/iamPolicies.ts) may change and delete only resources carrying the lab's
 * tag, and manage only roles under the lab's path. One source for both projects.
 */

/** The tag every taggable AWS resource of a lab carries, valued with its stack's name. */
export const LAB_TAG_KEY = "eks-netpol-lab:stack";

/** The IAM path of the lab's roles (the cluster's service role and the node role). */
export const LAB_ROLE_PATH = "/eks-netpol-lab/";

export function labTags(stack: string): Record<string, string> {
    return { [LAB_TAG_KEY]: stack };
}
