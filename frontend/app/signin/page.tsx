import { PageHeader } from "@/ui/states";
import { SignInForm } from "@/ui/operator/sign-in-form";

export const metadata = { title: "Вход оператора — Chorus" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only a path of this site: never an open redirect.
  const target = next && next.startsWith("/") && !/^\/[\\/]/.test(next) ? next : "/";
  return (
    <div>
      <PageHeader
        title="Вход оператора"
        subtitle="Без входа панель только показывает: создавать документ, запускать агентов и управлять узлами может оператор."
      />
      <SignInForm next={target} />
    </div>
  );
}
