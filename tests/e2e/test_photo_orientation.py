"""A photo is stored as taken, with only its EXIF orientation (registrasi.image_structure,
issue 14): the browser must show it upright by that tag."""

import base64

from tests.test_upload_images import _clean, _photo, _with_metadata


def test_the_browser_shows_a_sideways_photo_upright(browser_page):
    stored = _clean(_with_metadata(_photo(size=(80, 40)), orientation=6))
    source = "data:image/jpeg;base64," + base64.b64encode(stored).decode()
    browser_page.set_content(f'<img id="photo" src="{source}" alt="">')
    browser_page.wait_for_function("document.getElementById('photo').complete")
    box = browser_page.evaluate(
        "(() => { const r = document.getElementById('photo').getBoundingClientRect();"
        " return [r.width, r.height]; })()"
    )
    assert box == [40, 80]
