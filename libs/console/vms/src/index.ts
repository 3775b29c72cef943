// The VM pages of the console: list with bulk actions, detail, create and edit, snapshots, consoles.
export {};
