"""axe-core (the engine `axe-selenium-python` carries) over the page a Selenium driver shows: the
violations whose impact is critical or serious, as readable lines. Minor and moderate ones are
printed by the caller as notes, not failures.
"""

from axe_selenium_python import Axe

BLOCKING = {"critical", "serious"}


def audit(driver):
    """Returns (blocking, other): lists of "rule (impact): target…" lines for the current page."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    blocking, other = [], []
    for violation in results.get("violations", []):
        targets = ", ".join(" ".join(node.get("target", [])) for node in violation.get("nodes", [])[:3])
        line = f"{violation['id']} ({violation.get('impact')}): {targets}"
        (blocking if violation.get("impact") in BLOCKING else other).append(line)
    return blocking, other
