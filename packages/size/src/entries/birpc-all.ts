// birpc brings no transport: its whole API (createBirpc over a post/on pair the page writes).
export * from "birpc";
