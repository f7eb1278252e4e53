pytest_plugins = ["tests.fakediscord.fixtures", "tests.fixtures_bot", "tests.fixtures_sources"]
