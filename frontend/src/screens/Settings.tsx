import { useEffect, useState } from "preact/hooks";
import { About } from "../../wailsjs/go/main/App";
import type { main, tollgate } from "../../wailsjs/go/models";
import { errorText } from "../errors";

export function Settings(props: { user: tollgate.User }) {
  const [about, setAbout] = useState<main.About | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    About()
      .then(setAbout)
      .catch((e) => setError(errorText(e)));
  }, []);
  return (
    <section>
      <h1>Settings</h1>
      <h2>Your account</h2>
      <dl class="card facts">
        <dt>Name</dt>
        <dd>{props.user.name}</dd>
        <dt>Email</dt>
        <dd>{props.user.email}</dd>
        <dt>Member since</dt>
        <dd>{new Date(props.user.createdAt).toLocaleString()}</dd>
      </dl>
      <h2>This Tollgate</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {about && (
        <dl class="card facts">
          <dt>Version</dt>
          <dd>{about.version}</dd>
          <dt>Running as</dt>
          <dd>{about.face === "serve" ? "tollgate serve (browser)" : "desktop window"}</dd>
          <dt>Data folder</dt>
          <dd>
            <code>{about.dataDir}</code>
          </dd>
          <dt>Database</dt>
          <dd>
            <code>{about.database}</code> (schema {about.schemaVersion})
          </dd>
        </dl>
      )}
    </section>
  );
}
