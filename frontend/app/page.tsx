import { PageHeader } from "@/ui/states";
import { InitForm } from "@/ui/init/init-form";

export default function HomePage() {
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader
        title="Новый документ"
        subtitle="Задайте тему и начальный текст — агенты начнут писать документ вместе. Текущий документ будет заменён на всех трёх узлах."
      />
      <InitForm />
    </div>
  );
}
