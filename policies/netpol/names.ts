/**
 * Kubernetes' syntax for names and labels (k8s.io/apimachinery/pkg/util/validation), so that netpol refuses what the
 * API server refuses instead of answering for objects that could never exist. Each check returns undefined when the
 * text is valid, or what is wrong with it.
 */
import { show } from "./show";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The name part of a label key, and a label value: alphanumerics, `-`, `_`, `.`, alphanumeric at both ends. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A namespace's name (RFC 1123 label): up to 63 lowercase letters, digits and inner hyphens. */
export function namespaceNameProblem(name: string): string | undefined {
    if (name.length <= 63 && DNS_LABEL.test(name)) return undefined;
    return `${show(name)} is not a valid namespace name: up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit`;
}

/** An object's name (RFC 1123 subdomain): up to 253 lowercase letters, digits, "-" and ".". */
export function objectNameProblem(name: string): string | undefined {
    if (name.length <= 253 && DNS_SUBDOMAIN.test(name)) return undefined;
    return `${show(name)} is not a valid name: up to 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit`;
}

/** A label key: an optional DNS subdomain prefix and "/", then a name of up to 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.indexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
    if (prefixOk && name.length <= 63 && LABEL_NAME.test(name)) return undefined;
    return `${show(key)} is not a valid label key: a name of up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (example.com/tier)`;
}

/** A label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit. */
export function labelValueProblem(value: string): string | undefined {
    if (value === "" || (value.length <= 63 && LABEL_NAME.test(value))) return undefined;
    return `${show(value)} is not a valid label value: empty, or up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
}
