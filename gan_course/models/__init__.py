"""One module per paper: its objective, networks, paper defaults, training ``Step`` and recipe.

* :mod:`~gan_course.models.gan`: Goodfellow et al. (2014), the GAN and its Algorithm 1 step; the toy networks.
* :mod:`~gan_course.models.wgan`: Arjovsky et al. (2017) and Gulrajani et al. (2017), WGAN and WGAN-GP.
* :mod:`~gan_course.models.improved_gan`: Salimans et al. (2016), feature matching.
* :mod:`~gan_course.models.dcgan`: Radford et al. (2016), DCGAN for 28 x 28 digits.
* :mod:`~gan_course.models.classifier`: the MNIST judge that scores generated digits.

Taught in: lessons 00–09.
"""
