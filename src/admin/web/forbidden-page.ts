/** The plain page shown to a signed-in user without an admin or read-only admin role. */
export function forbiddenPage(nameId: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>allot admin: access denied</title>
<link rel="icon" href="/admin/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/admin/assets/app.css">
</head>
<body class="plain">
<main class="notice">
<h1>Access denied</h1>
<p>You are signed in as <strong>${escapeHtml(nameId)}</strong>, but your account holds no administrator or read-only administrator role, so the allot administration page is not available to you.</p>
<p>If you need access, ask an allot administrator to map one of your identity-provider groups to an admin role.</p>
</main>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
