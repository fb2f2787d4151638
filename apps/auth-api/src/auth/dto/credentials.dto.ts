import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';

/** Surrounding spaces are not part of an email; the rest of normalisation happens in the service. */
const TrimString = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Passwords are 8 to 128 characters (contract). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com' })
  @TrimString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password!: string;
}

/** Login checks shape only: a wrong but well-formed password is a 401, not a 400. */
export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @TrimString()
  @IsString()
  @Length(1, 320)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @Length(1, 1024)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({})
  @IsString()
  @Length(1, 1024)
  currentPassword!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  newPassword!: string;
}
