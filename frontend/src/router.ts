// Hash routes work the same in the Wails window and in a browser, with no server help.

export type Screen = "home" | "login" | "register" | "plans" | "access" | "premium" | "events" | "lessons" | "settings";

const publicScreens: Screen[] = ["home", "login", "register"];
const privateScreens: Screen[] = ["plans", "access", "premium", "events", "lessons", "settings"];

/** parse reads a location hash such as "#/plans" into a screen; anything unknown is home. */
export function parse(hash: string): Screen {
  const name = hash.replace(/^#\/?/, "").split(/[?/]/)[0];
  return ([...publicScreens, ...privateScreens] as string[]).includes(name) ? (name as Screen) : "home";
}

/**
 * guard decides which screen to show: a logged-out person asking for a private
 * screen is sent to log in; a logged-in one has no use for the public ones.
 */
export function guard(screen: Screen, loggedIn: boolean): Screen {
  if (!loggedIn && privateScreens.includes(screen)) return "login";
  if (loggedIn && publicScreens.includes(screen)) return "plans";
  return screen;
}

export function go(screen: Screen): void {
  window.location.hash = "#/" + screen;
}

export const navigation: { screen: Screen; label: string }[] = [
  { screen: "plans", label: "Plans" },
  { screen: "access", label: "Access" },
  { screen: "premium", label: "Premium" },
  { screen: "events", label: "Events" },
  { screen: "lessons", label: "Lessons" },
  { screen: "settings", label: "Settings" },
];
