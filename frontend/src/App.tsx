import { useEffect, useState } from "preact/hooks";
import { CurrentUser, Logout } from "../wailsjs/go/main/App";
import type { tollgate } from "../wailsjs/go/models";
import { errorText } from "./errors";
import { go, guard, navigation, parse, type Screen } from "./router";
import { Home } from "./screens/Home";
import { Login } from "./screens/Login";
import { Register } from "./screens/Register";
import { Plans } from "./screens/Plans";
import { Access } from "./screens/Access";
import { Premium } from "./screens/Premium";
import { Settings } from "./screens/Settings";
import { Events } from "./screens/Events";
import { Lessons } from "./screens/Lessons";
import { PaymentBanner } from "./PaymentBanner";
import { ModeBadge, SetupBanner } from "./ModeBadge";
import { Logo } from "./Logo";
import { Presenter } from "./Presenter";

export function App() {
  const [user, setUser] = useState<tollgate.User | null | undefined>(undefined);
  // The hash is read from location at render time (below); this state only
  // re-renders on hashchange, so a redirect set just before a render is never undone.
  const [, setHash] = useState(window.location.hash);
  const [fault, setFault] = useState("");

  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onHash);
    CurrentUser()
      .then((u) => setUser(u ?? null))
      .catch((e) => {
        setFault(errorText(e));
        setUser(null);
      });
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  if (user === undefined) return <main class="loading">Loading…</main>;

  const wanted = parse(window.location.hash);
  const screen = guard(wanted, user !== null);
  if (screen !== wanted) {
    // Correct the address bar too, so Back and reload behave.
    queueMicrotask(() => go(screen));
  }

  const signedIn = (u: tollgate.User) => {
    go("plans");
    setUser(u);
  };
  const logout = async () => {
    await Logout();
    go("home");
    setUser(null);
  };

  return (
    <>
      <header class="topbar">
        <a class="brand" href="#/">
          <Logo /> Tollgate
        </a>
        {user && <ModeBadge />}
        {user && (
          <nav aria-label="Main">
            {navigation.map((n) => (
              <a href={"#/" + n.screen} class={n.screen === screen ? "active" : ""} aria-current={n.screen === screen ? "page" : undefined}>
                {n.label}
              </a>
            ))}
          </nav>
        )}
        <div class="who">
          {user ? (
            <>
              {/* A long name ends in an ellipsis; the title shows it whole, with the email. */}
              <span class="name" title={`${user.name}\n${user.email}`}>
                {user.name}
              </span>
              <button class="link" onClick={logout}>
                Log out
              </button>
            </>
          ) : (
            <>
              <a href="#/login">Log in</a>
              <a href="#/register">Register</a>
            </>
          )}
        </div>
      </header>
      {fault && <p class="error" role="alert">{fault}</p>}
      {user && <SetupBanner onSettings={screen === "settings"} />}
      {user && <PaymentBanner />}
      <main>{view(screen, user, signedIn)}</main>
      <Presenter onUser={setUser} />
    </>
  );
}

function view(screen: Screen, user: tollgate.User | null, signedIn: (u: tollgate.User) => void) {
  switch (screen) {
    case "home":
      return <Home />;
    case "login":
      return <Login onLogin={signedIn} />;
    case "register":
      return <Register onRegister={signedIn} />;
    case "plans":
      return <Plans />;
    case "access":
      return <Access />;
    case "premium":
      return <Premium />;
    case "events":
      return <Events />;
    case "lessons":
      return <Lessons />;
    case "settings":
      return <Settings user={user!} />;
  }
}
