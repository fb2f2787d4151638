/** The roles auth-api knows, lowest first. Each one implies those before it. */
export const ROLES = ['user', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** `user` ⊂ `editor` ⊂ `admin`, in the library's hierarchy format. */
export const ROLE_HIERARCHY: Record<string, string[]> = { admin: ['editor'], editor: ['user'] };
