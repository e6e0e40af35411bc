import Link from "next/link";
import { Empty } from "@/ui/states";

export default function NotFound() {
  return (
    <Empty title="Такой страницы нет">
      <Link href="/document" className="underline">
        К документу
      </Link>
    </Empty>
  );
}
