#!/usr/bin/env python3
"""The page `seq2seq serve` sends at /, driven in headless Chromium (Selenium): what a user sees
agrees with what the API returns. Usage: serve_browser.py URL SENTENCE SCREENSHOT [SCREENSHOT ...]
Exit 0 when every check passes, 1 (with "FAIL: ...") otherwise, 77 when Selenium cannot start."""
import atexit
import json
import sys
import time
import urllib.request

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError as e:  # serve_browser.sh checks first; this is for running the script by hand
    print(f"SKIP: python3-selenium missing ({e})")
    sys.exit(77)

url, sentence, screenshots = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3:]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, file=sys.stderr)


def api(path, body=None):
    request = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"} if body is not None else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def argmax(values):
    return max(range(len(values)), key=lambda k: (values[k], -k))  # the first of equal maxima, as the page


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
             "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"):
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
try:
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
except WebDriverException as e:
    print(f"SKIP: chromium could not start ({str(e).splitlines()[0]})")
    sys.exit(77)
atexit.register(driver.quit)  # also when a check raises

models = api("/api/v1/models")["models"]
by_type = {m["model"]: m for m in models}
plain = [m for m in models if not m["has_attention"]]
attentive = [m for m in models if m["has_attention"]]
wait = WebDriverWait(driver, 120, poll_frequency=0.1)


def panel(model):
    return driver.find_element(By.CSS_SELECTOR, f'.model-panel[data-model="{model["name"]}"]')


def shown_texts(model):
    """The panel's n-best lines as the API's texts (an empty one is shown as a note in .text.empty)."""
    texts = []
    for hyp in panel(model).find_elements(By.CSS_SELECTOR, ".hypothesis .text"):
        texts.append("" if "empty" in hyp.get_attribute("class").split() else hyp.text)
    return texts


def translate(n_best, attention="mean"):
    """Sets the controls, submits, waits until every panel is done; returns the API's answer to the same request."""
    nbest = driver.find_element(By.ID, "nbest")
    nbest.clear()
    nbest.send_keys(str(n_best))
    Select(driver.find_element(By.ID, "attention")).select_by_value(attention)
    box = driver.find_element(By.ID, "sentence")
    box.clear()
    box.send_keys(sentence)
    box.send_keys(Keys.ENTER)  # Enter submits
    try:
        wait.until(lambda d: all(p.get_attribute("data-state") in ("done", "error")
                                 for p in d.find_elements(By.CSS_SELECTOR, ".model-panel")))
    except TimeoutException:
        fail(f"n_best {n_best}: the panels did not fill: {driver.find_element(By.ID, 'status').text!r}")
    return api("/api/v1/translate", {"text": sentence, "n_best": n_best, "attention": attention})["results"][0]


def hover_checks(model, translation, choice_label=None):
    """Hover (and focus) each target token: the source token the JSON weights most is .attended-max."""
    hyp = translation["hypotheses"][0]
    weights = hyp["attention"]["weights"]
    if choice_label is not None:
        layer, head = choice_label
        weights = hyp["layers"][layer][head]["weights"]
    heatmap = panel(model).find_element(By.CSS_SELECTOR, ".heatmap")
    targets = heatmap.find_elements(By.CSS_SELECTOR, ".tgt-token")
    sources = heatmap.find_elements(By.CSS_SELECTOR, ".src-token")
    if [t.text for t in targets] != hyp["attention"]["rows"]:
        fail(f"{model['name']}: heatmap rows {[t.text for t in targets]} != JSON rows {hyp['attention']['rows']}")
    if len(sources) != len(hyp["attention"]["columns"]):
        fail(f"{model['name']}: {len(sources)} source tokens in the heatmap, JSON has {hyp['attention']['columns']}")
    for i, target in enumerate(targets):
        if target.get_attribute("tabindex") != "0":
            fail(f"{model['name']}: target token {i} is not focusable (tabindex={target.get_attribute('tabindex')})")
        ActionChains(driver).move_to_element(target).perform()
        marked = heatmap.find_elements(By.CSS_SELECTOR, ".src-token.attended-max")
        want = argmax(weights[i])
        got = [int(m.get_attribute("data-index")) for m in marked]
        if got != [want]:
            fail(f"{model['name']}{'' if choice_label is None else ' ' + str(choice_label)}: hovering target "
                 f"{i} ({target.text!r}) marks source {got}, the JSON's largest weight is column {want} "
                 f"({weights[i][want]:.4f})")
        shown = float(sources[want].get_attribute("data-weight") or "nan")
        if abs(shown - weights[i][want]) > 1e-3:
            fail(f"{model['name']}: source {want} shows weight {shown}, JSON {weights[i][want]}")
    # Keyboard: focusing a target token marks the same source token as hovering it.
    driver.execute_script("arguments[0].focus()", targets[0])
    marked = [int(m.get_attribute("data-index")) for m in heatmap.find_elements(By.CSS_SELECTOR, ".attended-max")]
    if marked != [argmax(weights[0])]:
        fail(f"{model['name']}: focusing target 0 marks {marked}, expected {[argmax(weights[0])]}")
    # A source token marks the target that attended to it most.
    j = argmax(weights[0])
    ActionChains(driver).move_to_element(sources[j]).perform()
    column = [row[j] for row in weights]
    most = [int(m.get_attribute("data-index")) for m in heatmap.find_elements(By.CSS_SELECTOR, ".tgt-token.attends-most")]
    if most != [argmax(column)]:
        fail(f"{model['name']}: hovering source {j} marks targets {most}, expected {[argmax(column)]}")


driver.get(url + "/")
# A 1280x900 page: the window is that much bigger than its viewport.
chrome = driver.execute_script("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]")
driver.set_window_size(1280 + chrome[0], 900 + chrome[1])
try:
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
except TimeoutException:
    fail(f"the page did not list the models: {driver.find_element(By.ID, 'status').text!r}")

# The panels, the BLEU chart and the demo before any translation.
names = [p.get_attribute("data-model") for p in driver.find_elements(By.CSS_SELECTOR, ".model-panel")]
if names != [m["name"] for m in models]:
    fail(f"panels {names} != models {[m['name'] for m in models]}")
if any(m.get("bleu_by_length") for m in models):
    if not driver.find_elements(By.CSS_SELECTOR, "#bleu-chart svg rect"):
        fail("the runs have BLEU by length but #bleu-chart has no bars")
try:
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#demo [role=tab]")) > 0)
except TimeoutException:
    fail("#demo shows no mechanisms")
demo = api("/api/v1/attention-demo")
tabs = driver.find_elements(By.CSS_SELECTOR, "#demo [role=tab]")
if len(tabs) != len(demo["mechanisms"]):
    fail(f"#demo has {len(tabs)} tabs, the API {len(demo['mechanisms'])} mechanisms")
for k, tab in enumerate(tabs):
    tab.click()
    cells = driver.find_elements(By.CSS_SELECTOR, "#demo .mechanism table.matrix td")
    if not cells or demo["mechanisms"][k]["name"] not in tab.text:
        fail(f"#demo tab {k} ({tab.text!r}) shows {len(cells)} numbers")
tabs[0].click()

# 1. One hypothesis per model, the API's text; no map for the plain RNN, a heatmap for the others.
result = translate(1)
for translation in result["translations"]:
    model = next(m for m in models if m["name"] == translation["model"])
    shown = shown_texts(model)
    if shown != [translation["hypotheses"][0]["text"]]:
        fail(f"{model['name']}: the panel shows {shown}, the API {translation['hypotheses'][0]['text']!r}")
for model in plain:
    if not panel(model).find_elements(By.CSS_SELECTOR, ".no-attention-note"):
        fail(f"{model['name']} (no attention) has no .no-attention-note")
    if panel(model).find_elements(By.CSS_SELECTOR, ".heatmap"):
        fail(f"{model['name']} (no attention) has a heatmap")
for model in attentive:
    if len(panel(model).find_elements(By.CSS_SELECTOR, ".heatmap")) != 1:
        fail(f"{model['name']} has no heatmap")
translations = {t["model"]: t for t in result["translations"]}
for model in attentive:
    hover_checks(model, translations[model["name"]])

# 2. Every layer and head of the Transformer: the selector offers them and the map follows it.
if "transformer" in by_type:
    model = by_type["transformer"]
    result = translate(1, "all")
    translation = next(t for t in result["translations"] if t["model"] == model["name"])
    select = Select(panel(model).find_element(By.CSS_SELECTOR, ".head-select"))
    layers = translation["hypotheses"][0]["layers"]
    expected = 1 + sum(len(heads) + 1 for heads in layers)
    if len(select.options) != expected:
        fail(f"transformer: {len(select.options)} layer/head choices, expected {expected}")
    last_layer, last_head = len(layers) - 1, len(layers[-1]) - 1
    select.select_by_visible_text(f"layer {last_layer + 1}, head {last_head + 1}")
    hover_checks(model, translation, (last_layer, last_head))

# 3. n-best 3: three lines per model, the API's, best first.
result = translate(3)
for translation in result["translations"]:
    model = next(m for m in models if m["name"] == translation["model"])
    shown = shown_texts(model)
    want = [h["text"] for h in translation["hypotheses"]]
    if len(shown) != 3 or shown != want:
        fail(f"{model['name']}: n-best 3 shows {shown}, the API {want}")

# The picture: every layer and head asked for (the Transformer's selector), a bahdanau target word hovered.
translate(1, "all")
hovered = attentive[0] if attentive else None
if "bahdanau" in by_type:
    hovered = by_type["bahdanau"]
if hovered:
    targets = panel(hovered).find_elements(By.CSS_SELECTOR, ".heatmap .tgt-token")
    if targets:
        ActionChains(driver).move_to_element(targets[min(1, len(targets) - 1)]).perform()
        driver.execute_script("window.scrollTo(0, 0)")
time.sleep(0.2)
for path in screenshots:
    if not driver.save_screenshot(path):
        fail(f"could not save the screenshot {path}")

# Nothing logged as an error, and no request left the origin.
for entry in driver.get_log("browser"):
    if entry["level"] == "SEVERE":
        fail(f"console error: {entry['message']}")
requested = []
for entry in driver.get_log("performance"):
    message = json.loads(entry["message"])["message"]
    if message["method"] == "Network.requestWillBeSent":
        requested.append(message["params"]["request"]["url"])
if not any(u.startswith(url + "/api/v1/translate") for u in requested):
    fail(f"the performance log shows no request to /api/v1/translate: {requested}")
for u in requested:
    if not (u.startswith(url + "/") or u == url or u.startswith("data:") or u.startswith("about:")):
        fail(f"a request left the origin {url}: {u}")

if failures:
    sys.exit(1)
print(f"ok: {len(models)} models, {len(requested)} requests, all from {url}")
