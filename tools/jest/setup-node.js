// Nest's decorators need the Reflect metadata API before any decorated class is evaluated.
import 'reflect-metadata';
