/** Port names, as Kubernetes requires them of container ports and of named ports in policies. */

/** An IANA service name: 1-15 lowercase letters, digits and inner hyphens, with at least one letter. */
export const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
