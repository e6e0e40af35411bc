import type { ReactElement } from "react";
import { OperatorProvider } from "@/ui/operator/operator-context";

/** `ui` as a signed-in operator sees it (write buttons enabled). */
export const asOperator = (ui: ReactElement) => <OperatorProvider initial>{ui}</OperatorProvider>;
