import { Loading } from "./states";

/** Every route's loading.tsx: the screen is on its way. */
export default function RouteLoading() {
  return <Loading />;
}
