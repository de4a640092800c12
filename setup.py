"""Build of corpus-sieve's one optional C extension (the metadata is in pyproject.toml).

``filters/_walk.pyx`` is jusText's paragraph walk compiled against lxml's C API
(Cython, a C compiler and lxml's bundled headers). It is optional: without
Cython or a compiler, or when the build fails, the install goes on and
``filters/_paragraphs.py`` uses its pure-Python walk, which gives the same
paragraphs.
"""

from setuptools import Extension, setup


def optional_extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    try:
        return cythonize(
            [Extension("filters._walk", ["filters/_walk.pyx"], include_dirs=lxml.get_include(), optional=True)],
            compiler_directives={"language_level": 3},
            quiet=True,
        )
    except Exception as error:  # no C walk: the Python one runs
        print(f"corpus-sieve: filters/_walk.pyx not compiled ({error}); the pure-Python walk will be used")
        return []


setup(ext_modules=optional_extensions())
