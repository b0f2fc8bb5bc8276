import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from zhichan.cases.demo import create_demo_fair, create_demo_requests
from zhichan.core.bundles import DEMO_BUNDLE, read_manifest
from zhichan.core.demo import create_demo_accounts


class Command(BaseCommand):
    help = "Create the demo database, load the Jinzhong data, make demo accounts, serve the portal."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-serve", action="store_true", help="set up only")
        parser.add_argument("--bundle", default=str(DEMO_BUNDLE), help="city bundle folder")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("`demo` is refused in production mode (ZHICHAN_ENV=production).")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_city", options["bundle"], stdout=self.stdout)
        manifest = read_manifest(Path(options["bundle"]))
        county = manifest.get("demo_county")
        made = create_demo_accounts(county)
        if made:
            self.stdout.write(self.style.WARNING("Demo accounts (passwords are shown only now):"))
            for username, role, password in made:
                self.stdout.write(f"  {username:<20} {password:<16} {role}")
        else:
            self.stdout.write("Demo accounts exist already; `zhichan changepassword NAME` resets one.")
        from zhichan.finance.demo import create_demo_finance

        for username, role, password in create_demo_finance(log=self.stdout.write):
            self.stdout.write(f"  {username:<20} {password:<16} {role}")
        if county:
            create_demo_fair(county)
            from zhichan.training.demo import create_demo_training

            create_demo_training(log=self.stdout.write)
            from zhichan.practices.demo import create_demo_practices
            from zhichan.surveys.demo import create_demo_surveys

            create_demo_surveys(log=self.stdout.write)
            create_demo_practices(log=self.stdout.write)
            filed = create_demo_requests(county)
            if filed:
                self.stdout.write(f"sample requests: {', '.join(c.number for c in filed)}")
            from zhichan.providers.demo import create_demo_provider

            for username, role, password in create_demo_provider(county):
                self.stdout.write(
                    self.style.WARNING("Demo provider account (the password is shown only now):")
                )
                self.stdout.write(f"  {username:<20} {password:<16} {role}")
            from zhichan.evaluation.rectification_demo import create_demo_rectification

            create_demo_rectification(log=self.stdout.write)
        if manifest.get("synthetic_ipdata"):
            from zhichan.ipdata.demo import import_synthetic

            import_synthetic(**manifest["synthetic_ipdata"], log=self.stdout.write)
            from zhichan.custody.demo import create_demo_custody

            create_demo_custody(log=self.stdout.write)
            from zhichan.watch.demo import create_demo_watch

            create_demo_watch(log=self.stdout.write)
        from zhichan.evaluation.demo import create_demo_history

        create_demo_history(log=self.stdout.write)
        from zhichan.evaluation.scorecards.demo import create_demo_scorecards

        create_demo_scorecards(log=self.stdout.write)
        if options["no_serve"]:
            return
        self.serve(options["host"], options["port"])

    def serve(self, host, port):
        env = dict(os.environ, ZHICHAN_DATA_DIR=str(settings.DATA_DIR))
        worker = subprocess.Popen([sys.executable, "-m", "zhichan", "worker"], env=env)  # nosec B603  # this interpreter with fixed arguments, no shell
        server = subprocess.Popen(  # nosec B603  # this interpreter running gunicorn; host and port are list items, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "zhichan.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                # no gunicorn access log: the application logs each request itself, with its
                # request id and without query strings (core/requestlog.py)
            ],
            env=env,
        )
        self.stdout.write(self.style.SUCCESS(f"Portal: http://{host}:{port}/  (Ctrl+C stops)"))

        # A service manager stops us with SIGTERM (to this process only): take the children
        # down too instead of leaving them orphaned.
        def stop(signum, frame):
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            while server.poll() is None:
                if worker.poll() is not None:
                    self.stderr.write(f"task worker exited ({worker.returncode}); stopping the portal")
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for proc in (server, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in (server, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            signal.signal(signal.SIGTERM, previous)
